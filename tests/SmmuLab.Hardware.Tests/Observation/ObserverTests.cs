using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Tests.Cmdqv;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Observation;

/// <summary>The one seam through which traces, the oracle and exporters watch the model.</summary>
public class ObserverTests
{
    private const ulong Va = 0x10_0000;

    [Fact]
    public void Commands_are_reported_in_consumption_order_with_queue_time_and_sync_completion()
    {
        using var bed = new SmmuTestBed();
        var seen = new List<CommandObservation>();
        var syncs = new List<CommandObservation>();
        bed.Device.AddObserver(new DelegateObserver { OnCommand = (_, c) => seen.Add(c), OnSync = (_, c) => syncs.Add(c) });

        bed.Run(Command.CfgiSte(3, true), Command.TlbiNhAsid(0, 7)); // Run ends the batch with a CMD_SYNC

        Assert.Equal([Opcode.CMD_CFGI_STE, Opcode.CMD_TLBI_NH_ASID, Opcode.CMD_SYNC], seen.Select(c => c.Command.Opcode));
        Assert.All(seen, c => Assert.True(c.Queue.IsCmdq));
        Assert.All(seen, c => Assert.True(c.EndNs > c.StartNs)); // a fetch costs modeled time
        Assert.All(seen.Zip(seen.Skip(1)), p => Assert.True(p.Second.StartNs >= p.First.EndNs));
        Assert.Equal(seen[2], Assert.Single(syncs));
    }

    [Fact]
    public void A_VCMDQ_command_is_reported_with_its_queue()
    {
        using var bed = new CmdqvTestBed();
        var seen = new List<CommandObservation>();
        bed.Smmu.AddObserver(new DelegateObserver { OnCommand = (_, c) => seen.Add(c) });
        bed.EnableVintf(0, vmid: 0, hypOwn: true);
        bed.MapQueue(vcmdq: 1, vintf: 0, lidx: 0);

        bed.Submit(0, 0, Command.TlbiNhAll(2), Command.Sync(SyncCompletion.SIG_NONE));
        Assert.Equal(2, bed.Cmdqv.QueueStatistics(1).CommandsConsumed);

        Assert.Equal([(1, Opcode.CMD_TLBI_NH_ALL), (1, Opcode.CMD_SYNC)], seen.Select(c => (c.Queue.Vcmdq, c.Command.Opcode)));
        Assert.Equal("vcmdq1", seen[0].Queue.ToString());
    }

    [Fact]
    public void A_translation_says_whether_the_TLB_answered_and_how_many_descriptors_a_walk_read()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1);
        bed.MapS1(Va, SmmuTestBed.Data);
        var translations = new List<TranslationObservation>();
        var fetches = new List<(uint Sid, int Structures)>();
        bed.Device.AddObserver(new DelegateObserver
        {
            OnTranslation = (_, t) => translations.Add(t),
            OnConfigurationFetch = (_, sid, _, n) => fetches.Add((sid, n)),
        });

        var stepsBefore = bed.Device.WalkSteps;
        bed.Device.Translate(1, null, Va + 0x10, AccessKind.Read);
        var stepsOfFirst = bed.Device.WalkSteps - stepsBefore;
        bed.Device.Translate(1, null, Va + 0x20, AccessKind.Read);
        bed.Device.Translate(1, null, Va + 0x1000_0000, AccessKind.Read); // unmapped

        Assert.Equal([TranslationPath.Walk, TranslationPath.TlbHit, TranslationPath.Walk], translations.Select(t => t.Path));
        Assert.True(stepsOfFirst > 0);
        Assert.Equal(stepsOfFirst, translations[0].WalkSteps);
        Assert.Equal(0, translations[1].WalkSteps);
        Assert.Equal((SmmuTestBed.Data + 0x20, TransactionOutcome.Translated), (translations[1].PhysicalAddress, translations[1].Outcome));
        Assert.Equal((TransactionOutcome.Aborted, EventId.F_TRANSLATION), (translations[2].Outcome, translations[2].Fault));
        Assert.Equal(1u, Assert.Single(fetches).Sid); // the STE and CD once; later lookups hit the configuration cache
        Assert.True(fetches[0].Structures >= 2);
    }

    [Fact]
    public void Events_and_DMA_reach_every_attached_observer_until_it_is_removed()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1);
        bed.MapS1(Va, SmmuTestBed.Data);
        var ep = new Endpoint("dev", [1], bed.Memory);
        bed.Device.Connect(ep);
        var first = new List<string>();
        var second = new List<string>();
        var a = bed.Device.AddObserver(new DelegateObserver { OnDma = (_, d) => first.Add($"dma {d.PhysicalAddress:x}"), OnEvent = (_, e) => first.Add(e.Id.ToString()) });
        bed.Device.AddObserver(new DelegateObserver { OnDma = (_, d) => second.Add($"dma {d.PhysicalAddress:x}") });

        Assert.True(ep.Read(Va + 8, new byte[4]).Ok);
        Assert.False(ep.Read(Va + 0x1000_0000, new byte[4]).Ok);
        a.Dispose();
        Assert.True(ep.Read(Va + 16, new byte[4]).Ok);

        Assert.Equal([$"dma {SmmuTestBed.Data + 8:x}", nameof(EventId.F_TRANSLATION)], first);
        Assert.Equal([$"dma {SmmuTestBed.Data + 8:x}", $"dma {SmmuTestBed.Data + 16:x}"], second);
    }
}
