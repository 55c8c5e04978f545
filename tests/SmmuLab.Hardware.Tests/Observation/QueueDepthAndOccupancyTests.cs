using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Tests.Cmdqv;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Observation;

/// <summary>What an exporter samples from inside a report: the queue depth behind each command, and the TLB's occupancy.</summary>
public class QueueDepthAndOccupancyTests
{
    private const ulong Va = 0x10_0000;

    [Fact]
    public void Each_CMDQ_command_reports_the_commands_still_waiting_behind_it()
    {
        using var bed = new SmmuTestBed();
        var depths = new List<int>();
        bed.Device.AddObserver(new DelegateObserver { OnCommand = (_, c) => depths.Add(c.QueueDepth) });

        bed.Run(Command.CfgiSte(3, true), Command.TlbiNhAsid(0, 7), Command.TlbiNhAsid(0, 8)); // + CMD_SYNC, one PROD write

        Assert.Equal([3, 2, 1, 0], depths);
    }

    [Fact]
    public void Each_VCMDQ_command_reports_the_commands_still_waiting_on_its_queue()
    {
        using var bed = new CmdqvTestBed();
        var seen = new List<(int Vcmdq, int Depth)>();
        bed.Smmu.AddObserver(new DelegateObserver { OnCommand = (_, c) => seen.Add((c.Queue.Vcmdq, c.QueueDepth)) });
        bed.EnableVintf(0, vmid: 0, hypOwn: true);
        bed.MapQueue(vcmdq: 1, vintf: 0, lidx: 0);

        bed.Submit(0, 0, Command.TlbiNhAll(2), Command.TlbiNhAll(3), Command.Sync(SyncCompletion.SIG_NONE));

        Assert.Equal([(1, 2), (1, 1), (1, 0)], seen);
    }

    [Fact]
    public void TLB_occupancy_grows_with_a_walk_and_empties_with_an_invalidation()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, asid: 5);
        bed.MapS1(Va, SmmuTestBed.Data);
        Assert.Equal(0, bed.Device.TlbEntries);

        bed.Device.Translate(1, null, Va, AccessKind.Read);
        var afterWalk = bed.Device.TlbEntries;
        bed.Device.Translate(1, null, Va + 8, AccessKind.Read);
        var afterHit = bed.Device.TlbEntries;
        bed.Run(Command.TlbiNhAsid(0, 5));

        Assert.Equal(1, afterWalk);
        Assert.Equal(1, afterHit);
        Assert.Equal(0, bed.Device.TlbEntries);
    }
}
