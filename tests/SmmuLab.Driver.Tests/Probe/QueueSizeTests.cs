using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Tests.EndToEnd.Cmdqv;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.Probe;

/// <summary>
/// Queue sizes as Linux chooses them on arm64's defconfig: min(IDR1.CMDQS, CMDQ_MAX_SZ_SHIFT = 16)
/// log2 entries for the SMMU's CMDQ and for every Tegra241 VCMDQ.
/// </summary>
public sealed class QueueSizeTests
{
    [Theory]
    [InlineData(19, 16)]
    [InlineData(16, 16)]
    [InlineData(8, 8)]
    public void The_command_queue_takes_what_IDR1_offers_up_to_Linuxs_cap(int cmdqs, int expected)
    {
        using var m = new DriverMachine(InvalidationDesigns.Create(InvalidationDesigns.Linux));
        var smmu = m.AddSmmu("smmu0", new SmmuFeatures { CommandQueueBits = cmdqs });

        Assert.Equal(expected, smmu.Driver.Cmdq.Log2Entries);

        // What the model was told: SMMU_CMDQ_BASE.LOG2SIZE.
        Assert.Equal((ulong)expected, QueueBase.LOG2SIZE.Get(smmu.Device.Read64(SmmuRegister.CMDQ_BASE)));
    }

    [Fact]
    public void Every_kernel_VCMDQ_is_as_large_as_Linuxs()
    {
        using var m = CmdqvMachine.Build(out var cmdqv);
        Assert.NotEmpty(cmdqv.Driver!.KernelQueues);
        Assert.All(cmdqv.Driver.KernelQueues, q => Assert.Equal(16, q.Queue.Log2Entries));
    }
}
