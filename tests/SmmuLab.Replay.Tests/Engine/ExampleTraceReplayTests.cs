using SmmuLab.Replay.Engine;
using SmmuLab.Replay.Events;
using SmmuLab.TestSupport.Traces;

namespace SmmuLab.Replay.Tests.Engine;

/// <summary>
/// The example traces of scenarios/traces replayed on the embedded default machine. Strict, with
/// range invalidation: every unmap (single or list) is one TLBI and one CMD_SYNC, maps cost nothing.
/// </summary>
public sealed class ExampleTraceReplayTests
{
    [Fact]
    public void Nvme_like_trace_replays_every_call_and_holds_every_iommu_event()
    {
        var r = Replays.Run(Replays.ExampleTrace("nvme-like.trace"));
        var d = r.Diagnostics;
        var c = r.Counters;

        Assert.Equal(ReplayEnd.Complete, r.End);
        Assert.Equal(0, d.NotUnderstood);
        Assert.Equal((538L, 162L, 538L, 162L), (c.Maps, c.SgMaps, c.Unmaps, c.SgUnmaps));
        Assert.Equal((d.EventCount(TraceEventKind.DmaMapPage), d.EventCount(TraceEventKind.DmaMapSg)), (c.Maps, c.SgMaps));
        Assert.Equal(new SmmuCost(1400, 700, 700, 0, 0, r.ReplayCost.ModeledNanoseconds), r.ReplayCost);
        Assert.Equal((1076L, 324L), (r.Cost(ReplayOperation.Unmap).Commands, r.Cost(ReplayOperation.UnmapSg).Commands));

        Assert.Equal(d.EventCount(TraceEventKind.IommuMap) + d.EventCount(TraceEventKind.IommuUnmap), c.IommuClaimed);
        Assert.Equal((0L, 0L, 0L), (c.IommuInconsistent, c.IommuUnattributed, c.IommuMapsApplied));
        Assert.Equal(0, r.Problems.Total);
        Assert.Equal(["0000:01:00.0 (SMMU smmu0, StreamID 0x100)"], r.CreatedDevices);
        Assert.Equal(4, r.CpuCount);
        Assert.InRange(r.DurationSeconds, 0.004, 0.0041);
    }

    [Fact]
    public void Nic_like_trace_replays_rings_rx_and_tx_and_counts_the_rest()
    {
        var r = Replays.Run(Replays.ExampleTrace("nic-like.trace"));
        var d = r.Diagnostics;
        var c = r.Counters;

        Assert.Equal(ReplayEnd.Complete, r.End);
        Assert.Equal((858L, 2L, 602L, 0L), (c.Maps, c.Allocs, c.Unmaps, c.Frees));
        Assert.Equal(2, c.AllocsMatchingTrace);
        Assert.Equal(d.EventCount(TraceEventKind.DmaSyncSingleForCpu) + d.EventCount(TraceEventKind.DmaSyncSingleForDevice), c.Syncs);
        Assert.Equal(new SmmuCost(1204, 602, 602, 0, 0, r.ReplayCost.ModeledNanoseconds), r.ReplayCost);
        Assert.Equal(c.IommuMaps + c.IommuUnmaps, c.IommuClaimed + c.IommuUnattributed);
        Assert.Equal((1L, 10L), (d.LostEventLines, d.LostEvents));
        Assert.Equal(0, r.Problems.Count(ReplayProblem.Refused));
    }

    [Fact]
    public void Deferred_mode_sends_fewer_syncs_than_strict_on_the_same_trace()
    {
        var trace = Replays.ExampleTrace("nvme-like.trace");
        var strict = Replays.Run(trace);
        var deferred = Replays.Run(trace, mode: ReplayMode.Deferred);

        // The trace covers 4 ms: the 10 ms timer never falls due, and no CPU queues 256 unmaps.
        Assert.Equal(0, deferred.ReplayCost.Syncs);
        Assert.Equal(700, strict.ReplayCost.Syncs);
        Assert.Equal(700, deferred.DmaDomains.Single().Statistics.QueueDepth);
    }

    [Fact]
    public void A_trace_repeated_ten_times_costs_ten_times_as_much()
    {
        var once = Replays.ExampleTrace("nvme-like.trace");
        var r = Replays.Run(TraceRepeater.Repeat(once, 10));

        Assert.Equal(ReplayEnd.Complete, r.End);
        Assert.Equal(0, r.Diagnostics.NotUnderstood);
        Assert.Equal((5380L, 1620L, 5380L, 1620L), (r.Counters.Maps, r.Counters.SgMaps, r.Counters.Unmaps, r.Counters.SgUnmaps));
        Assert.Equal((14000L, 7000L), (r.ReplayCost.Commands, r.ReplayCost.Syncs));
        Assert.Equal(0, r.Problems.Total);
    }
}
