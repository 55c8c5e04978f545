using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>
/// Which interrupt an SMMU with wired lines, MSIs or both sends (IHI0070 3.18, 4.7.3 CMD_SYNC), and
/// the MSI address: *_IRQ_CFG0.ADDR and CMD_SYNC MSIAddress are [55:2], the write is truncated to
/// the OAS (3.4.3), and the registers exist only with IDR0.MSI (6.3.21-6.3.23).
/// </summary>
public sealed class InterruptSignalTests
{
    private const uint Data = 0xC0DE_0001;

    /// <summary>Makes GERROR.CMDQ_ERR active with an unknown opcode (GERROR_IRQEN set by the caller).</summary>
    private static void RaiseCmdqError(SmmuTestBed bed)
    {
        bed.Put(new Command(0x77, 0));
        Assert.Equal(CommandError.CERROR_ILL, bed.Publish());
    }

    [Fact]
    public void CMD_SYNC_SIG_IRQ_pulses_the_wired_line_when_MSIAddress_is_zero_4_7_3()
    {
        // 4.7.3 SIG_IRQ: "On implementations that support wired interrupts, an event on a unique wired
        // interrupt output is asserted on this signal, regardless of the value of MSIAddress."
        using var bed = new SmmuTestBed(new SmmuFeatures { Msi = true, WiredInterrupts = true });
        bed.Put(Command.Sync(SyncCompletion.SIG_IRQ, msiAddress: 0, msiData: Data));
        Assert.Equal(CommandError.CERROR_NONE, bed.Publish());
        Assert.Equal(1, bed.Signals.Count(SmmuInterrupt.CmdSync));
    }

    [Fact]
    public void CMD_SYNC_SIG_IRQ_with_MSIs_and_wired_lines_sends_both_4_7_3()
    {
        using var bed = new SmmuTestBed();
        bed.Put(Command.Sync(SyncCompletion.SIG_IRQ, SmmuTestBed.MsiTarget, Data));
        Assert.Equal(CommandError.CERROR_NONE, bed.Publish());
        Assert.Equal(Data, bed.Memory.Read32(SmmuTestBed.MsiTarget));
        Assert.Equal(1, bed.Signals.Count(SmmuInterrupt.CmdSync));
    }

    [Fact]
    public void CMD_SYNC_SIG_IRQ_on_an_MSI_only_SMMU_sends_nothing_when_MSIAddress_is_zero_4_7_3()
    {
        using var bed = new SmmuTestBed(new SmmuFeatures { WiredInterrupts = false });
        bed.Put(Command.Sync(SyncCompletion.SIG_IRQ, msiAddress: 0, msiData: Data));
        Assert.Equal(CommandError.CERROR_NONE, bed.Publish());
        Assert.Equal(0, bed.Signals.Count(SmmuInterrupt.CmdSync));
        Assert.Equal(0u, bed.Memory.Read32(0));
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)] // an MSI-only SMMU
    public void An_enabled_GERROR_source_sends_its_MSI_and_pulses_its_wired_line_only_if_implemented_3_18_2(bool wired, int pulses)
    {
        // 3.18.2: "If enabled, a pulse is asserted on a unique wired interrupt output, if this is
        // implemented. If enabled, an MSI is sent if MSIs are supported and ... ADDR ... not zero."
        using var bed = new SmmuTestBed(new SmmuFeatures { WiredInterrupts = wired });
        bed.ProgramGerrorMsi(SmmuTestBed.MsiTarget, Data);
        RaiseCmdqError(bed);
        Assert.Equal(Data, bed.Memory.Read32(SmmuTestBed.MsiTarget));
        Assert.Equal(pulses, bed.Signals.Count(SmmuInterrupt.GlobalError));
    }

    [Fact]
    public void An_SMMU_needs_wired_interrupts_or_MSIs_3_18()
    {
        var e = Assert.Throws<ArgumentException>(() => new SmmuFeatures { Msi = false, WiredInterrupts = false }.Validate());
        Assert.Contains("3.18", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IRQ_CFG0_ADDR_is_bits_55_to_2_so_bit_52_alone_makes_it_non_zero_6_3_21()
    {
        // ADDR [55:2] == 0 means no MSI; bit 52 alone is a non-zero ADDR. The write is truncated to
        // the OAS (3.4.3), so with a 52-bit OAS it lands at PA 0.
        using var bed = new SmmuTestBed(new SmmuFeatures { OutputAddressBits = 52 });
        bed.Memory.Write32(0, 0xFFFF_FFFF);
        bed.ProgramGerrorMsi(1UL << 52, Data);
        Assert.Equal(1UL << 52, bed.Mmio.Read64(SmmuRegister.GERROR_IRQ_CFG0));
        RaiseCmdqError(bed);
        Assert.Equal(Data, bed.Memory.Read32(0));
        Assert.Equal(0u, bed.ActiveErrors & GError.MSI_GERROR_ABT_ERR);
    }

    [Fact]
    public void An_IRQ_CFG0_MSI_address_above_the_OAS_is_truncated_to_it_3_4_3()
    {
        // OAS 40: bit 44 is above it, so the MSI goes to MsiTarget rather than aborting.
        using var bed = new SmmuTestBed(new SmmuFeatures { OutputAddressBits = 40 });
        bed.ProgramGerrorMsi(SmmuTestBed.MsiTarget | (1UL << 44), Data);
        RaiseCmdqError(bed);
        Assert.Equal(Data, bed.Memory.Read32(SmmuTestBed.MsiTarget));
        Assert.Equal(0u, bed.ActiveErrors & GError.MSI_GERROR_ABT_ERR);
    }

    [Fact]
    public void A_CMD_SYNC_MSIAddress_above_the_OAS_is_truncated_to_it_4_7_3()
    {
        // 4.7.3: "If the OAS is smaller than this field, MSIAddress is truncated to the OAS."
        using var bed = new SmmuTestBed(new SmmuFeatures { OutputAddressBits = 40 });
        bed.Put(Command.Sync(SyncCompletion.SIG_IRQ, SmmuTestBed.MsiTarget | (1UL << 44), Data));
        Assert.Equal(CommandError.CERROR_NONE, bed.Publish());
        Assert.Equal(Data, bed.Memory.Read32(SmmuTestBed.MsiTarget));
        Assert.Equal(0u, bed.ActiveErrors);
    }

    [Fact]
    public void The_CMD_SYNC_MSIAddress_zero_check_covers_the_whole_field_not_the_OAS_4_7_3()
    {
        // 4.7.3: "The check for zero applies to the entire specified field span and is not limited to
        // the physical address size (OAS)". Bit 44 alone, OAS 40: an MSI to PA 0.
        using var bed = new SmmuTestBed(new SmmuFeatures { OutputAddressBits = 40, WiredInterrupts = false });
        bed.Memory.Write32(0, 0xFFFF_FFFF);
        bed.Put(Command.Sync(SyncCompletion.SIG_IRQ, 1UL << 44, Data));
        Assert.Equal(CommandError.CERROR_NONE, bed.Publish());
        Assert.Equal(Data, bed.Memory.Read32(0));
    }

    [Theory]
    [InlineData(SmmuRegister.GERROR_IRQ_CFG0)]
    [InlineData(SmmuRegister.EVENTQ_IRQ_CFG0)]
    [InlineData(SmmuRegister.GERROR_IRQ_CFG1)]
    [InlineData(SmmuRegister.EVENTQ_IRQ_CFG1)]
    [InlineData(SmmuRegister.GERROR_IRQ_CFG2)]
    [InlineData(SmmuRegister.EVENTQ_IRQ_CFG2)]
    public void Without_IDR0_MSI_the_IRQ_CFG_registers_are_RES0_6_3_21(int offset)
    {
        using var bed = new SmmuTestBed(new SmmuFeatures { Msi = false }, bringUp: false);
        bed.Mmio.Write32(offset, 0x1234_5670);
        Assert.Equal(0u, bed.Mmio.Read32(offset));
    }

    [Theory]
    [InlineData(SmmuRegister.GERROR_IRQ_CFG0, 0b001u)]
    [InlineData(SmmuRegister.GERROR_IRQ_CFG1, 0b001u)]
    [InlineData(SmmuRegister.EVENTQ_IRQ_CFG0, 0b100u)]
    [InlineData(SmmuRegister.EVENTQ_IRQ_CFG2, 0b100u)]
    public void IRQ_CFG_registers_ignore_writes_while_their_interrupt_is_enabled_6_3_21(int offset, uint irqen)
    {
        using var bed = new SmmuTestBed(bringUp: false);
        bed.Mmio.Write32(offset, 0x24);
        bed.Mmio.Write32(SmmuRegister.IRQ_CTRL, irqen);
        bed.Mmio.Write32(offset, 0x18);
        Assert.Equal(0x24u, bed.Mmio.Read32(offset));
        bed.Mmio.Write32(SmmuRegister.IRQ_CTRL, 0);
        bed.Mmio.Write32(offset, 0x18);
        Assert.Equal(0x18u, bed.Mmio.Read32(offset));
    }
}
