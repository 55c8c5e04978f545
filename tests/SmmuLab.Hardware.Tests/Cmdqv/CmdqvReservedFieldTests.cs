using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Cmdqv;

/// <summary>
/// A VCMDQ executes its commands on the SMMU, so the SMMU's reserved-field policy (IHI0070 4.1.5)
/// applies to them as on the CMDQ: CERROR_ILL, or executed with the bits ignored and counted per queue.
/// </summary>
public class CmdqvReservedFieldTests
{
    private static readonly Command SloppyTlbiNhAll = new(Command.TlbiNhAll(3).Dw0, 0x10); // DW1 of TLBI_NH_ALL is all reserved

    [Fact]
    public void Under_ignore_a_VCMDQ_command_with_reserved_bits_runs_and_is_counted_for_its_queue()
    {
        using var bed = new CmdqvTestBed(smmuOptions: new SmmuDeviceOptions { ReservedFields = ReservedFieldPolicy.Ignore });
        bed.EnableVintf(0, vmid: 0, hypOwn: true);
        bed.MapQueue(vcmdq: 0, vintf: 0, lidx: 0);
        bed.InsertTlbEntry(3, asid: 5, va: 0x10000);

        bed.Submit(0, 0, SloppyTlbiNhAll, Command.TlbiNhAll(4), Command.Sync(SyncCompletion.SIG_NONE));

        var stats = bed.Cmdqv.QueueStatistics(0);
        Assert.False(bed.Cmdqv.QueueInError(0));
        Assert.False(bed.TlbHolds(3, 5, 0x10000)); // executed
        Assert.Equal((3L, 1L), (stats.CommandsConsumed, stats.ReservedBitCommands));
        Assert.Equal(0, bed.Smmu.Statistics.ReservedBitCommands); // the SMMU's counters describe its own CMDQ
    }

    [Fact]
    public void Under_error_the_VCMDQ_stops_with_illegal_command()
    {
        using var bed = new CmdqvTestBed();
        bed.EnableVintf(0, vmid: 0, hypOwn: true);
        bed.MapQueue(vcmdq: 0, vintf: 0, lidx: 0);

        bed.Submit(0, 0, SloppyTlbiNhAll);

        Assert.True(bed.Cmdqv.QueueInError(0));
        Assert.Equal(1, bed.Cmdqv.QueueStatistics(0).ErrorCount(VcmdqError.ILL_OPCODE));
        Assert.Equal(0, bed.Cmdqv.QueueStatistics(0).ReservedBitCommands);
    }
}
