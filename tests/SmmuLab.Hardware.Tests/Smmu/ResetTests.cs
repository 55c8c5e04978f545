using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary><see cref="SmmuDevice.Reset"/>: a device used, then reset, answers as a new one and can be brought up again.</summary>
public sealed class ResetTests
{
    private const ulong Va = 0x1000_0000;

    /// <summary>Every 32-bit word of the two register pages that hold registers.</summary>
    internal static Dictionary<int, uint> RegisterImage(IMmio mmio)
    {
        var image = new Dictionary<int, uint>();
        foreach (var page in new[] { 0, SmmuRegister.Page1 })
        {
            for (var offset = page; offset < page + 0x100; offset += 4)
            {
                image[offset] = mmio.Read32(offset);
            }
        }

        return image;
    }

    /// <summary>A device with every kind of state away from reset: queues used, errors active, interrupts configured, caches full.</summary>
    private static SmmuTestBed UsedDevice()
    {
        var bed = new SmmuTestBed();
        bed.ConfigureStage1(0x10);
        bed.MapS1(Va, SmmuTestBed.Data);
        Assert.Equal(TransactionOutcome.Translated, bed.Read(0x10, Va).Outcome);
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(0x10, Va + 0x10_0000).Outcome); // an event record
        Assert.Equal(CommandError.CERROR_ILL, bed.Submit(new Command(0xFF, 0)));
        bed.Mmio.Write64(SmmuRegister.GERROR_IRQ_CFG0, SmmuTestBed.MsiTarget);
        bed.Mmio.Write32(SmmuRegister.GERROR_IRQ_CFG1, 0x1234);
        bed.Mmio.Write32(SmmuRegister.IRQ_CTRL, (uint)IrqCtrl.EVENTQ_IRQEN.Make(1));
        bed.Mmio.Write32(SmmuRegister.GBPA, (uint)(Gbpa.Update.Make(1) | Gbpa.ABORT.Make(1)));
        Assert.NotEqual(0u, bed.ActiveErrors);
        Assert.NotEqual(0, bed.Device.Tlb.Count);
        Assert.NotEqual(0, bed.Device.ConfigCache.CachedStes);
        return bed;
    }

    [Fact]
    public void A_used_device_reads_like_a_new_one_after_reset()
    {
        using var fresh = new SmmuTestBed(bringUp: false);
        var expected = RegisterImage(fresh.Mmio);
        using var bed = UsedDevice();
        Assert.NotEqual(expected, RegisterImage(bed.Mmio));

        bed.Device.Reset();

        Assert.Equal(expected, RegisterImage(bed.Mmio));
        Assert.Equal(fresh.Mmio.Read64(SmmuRegister.CMDQ_BASE), bed.Mmio.Read64(SmmuRegister.CMDQ_BASE));
        Assert.Equal(0u, bed.ActiveErrors);
    }

    [Fact]
    public void Reset_empties_the_TLB_walk_cache_and_configuration_cache()
    {
        using var bed = UsedDevice();

        bed.Device.Reset();

        Assert.Equal(0, bed.Device.Tlb.Count);
        Assert.Equal(0, bed.Device.Tlb.WalkCache.Count);
        Assert.Equal(0, bed.Device.ConfigCache.CachedStes);
        Assert.Equal(0, bed.Device.ConfigCache.CachedCds);
        Assert.Equal(0, bed.Device.ConfigCache.CachedL1Descriptors);
    }

    [Fact]
    public void After_reset_the_SMMU_bypasses_as_GBPA_resets_and_software_can_bring_it_up_again()
    {
        using var bed = UsedDevice();
        bed.Device.Reset();

        // SMMUEN = 0 with GBPA back to its reset value (ABORT = 0): transactions bypass.
        Assert.Equal(TransactionOutcome.Bypassed, bed.Read(0x10, Va).Outcome);

        bed.BringUp();
        bed.ConfigureStage1(0x10);
        var result = bed.Read(0x10, Va);
        Assert.Equal(TransactionOutcome.Translated, result.Outcome);
        Assert.Equal(SmmuTestBed.Data, result.PhysicalAddress);
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(0x10, Va + 0x10_0000).Outcome);
        Assert.Single(bed.DrainEvents());
    }

    [Fact]
    public void A_free_running_device_consumes_again_after_reset()
    {
        using var bed = new SmmuTestBed(mode: ConsumptionMode.FreeRunning);
        bed.Run(Command.CfgiAll());

        bed.Device.Reset();
        Assert.Equal(0u, bed.Mmio.Read32(SmmuRegister.CMDQ_CONS));

        bed.BringUp();
        bed.Run(Command.TlbiNsnhAll());
        Assert.Equal(bed.Prod, bed.Cons);
    }
}
