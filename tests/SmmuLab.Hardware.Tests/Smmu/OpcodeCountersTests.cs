using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Tests.Cmdqv;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>The per-opcode command counters the CMDQ and each VCMDQ keep, one type for both.</summary>
public sealed class OpcodeCountersTests
{
    [Fact]
    public void The_CMDQ_counts_each_executed_command_under_its_opcode()
    {
        using var bed = new SmmuTestBed(bringUp: false);
        bed.BringUp(); // CFGI_ALL, TLBI_NSNH_ALL, CMD_SYNC
        bed.Run(Command.TlbiNhAsid(1, 2), Command.TlbiNhAsid(1, 3));

        var counters = bed.Device.Statistics.CommandsByOpcode;
        Assert.Equal(2, counters[Opcode.CMD_TLBI_NH_ASID]);
        Assert.Equal(2, counters[Opcode.CMD_SYNC]);
        Assert.Equal(6, counters.Total);
        Assert.Equal(
            [(Opcode.CMD_CFGI_STE_RANGE, 1L), (Opcode.CMD_TLBI_NH_ASID, 2L), (Opcode.CMD_TLBI_NSNH_ALL, 1L), (Opcode.CMD_SYNC, 2L)],
            counters.NonZero().ToList()); // in opcode order
        Assert.Equal(counters.Total, bed.Device.Statistics.CommandsConsumed);
    }

    [Fact]
    public void A_VCMDQ_counts_the_commands_it_executed_after_substitution_with_the_same_counters()
    {
        using var bed = new CmdqvTestBed();
        bed.EnableVintf(1, vmid: 9, hypOwn: false);
        bed.MapQueue(vcmdq: 4, vintf: 1, lidx: 0);
        bed.Submit(1, 0, Command.TlbiNhAsid(0, 5), Command.Sync(SyncCompletion.SIG_NONE), Command.CfgiAll());

        var counters = bed.Cmdqv.QueueStatistics(4).CommandsByOpcode;
        Assert.Equal(1, counters[Opcode.CMD_TLBI_NH_ASID]);
        Assert.Equal(1, counters[Opcode.CMD_SYNC]);
        Assert.Equal(0, counters[Opcode.CMD_CFGI_STE_RANGE]); // refused: the queue stopped on it
        Assert.Equal(2, counters.Total);
    }
}
