using SmmuLab.Replay.Engine;

namespace SmmuLab.Replay.Tests.Engine;

/// <summary>
/// Hand-made traces whose cost can be counted by hand. The default SMMU has range invalidation,
/// so a strict unmap of one page is one CMD_TLBI_NH_VA and one CMD_SYNC; a lazy unmap is queued
/// and the flush queue's timer (10 ms of trace time after the first queued unmap) flushes the
/// whole ASID with one CMD_TLBI_NH_ASID and one CMD_SYNC.
/// </summary>
public sealed class StrictAndDeferredTests
{
    [Fact]
    public void Three_strict_unmaps_cost_three_TLBIs_and_three_syncs()
    {
        var r = Replays.Run(Replays.ThreeMapsThreeUnmaps());

        var c = r.Counters;
        Assert.Equal((3L, 3L, 12288L), (c.Maps, c.Unmaps, c.BytesMapped));
        Assert.Equal(new SmmuCost(6, 3, 3, 0, 0, r.ReplayCost.ModeledNanoseconds), r.ReplayCost);
        Assert.Equal(r.ReplayCost, r.Cost(ReplayOperation.Unmap));
        Assert.Equal(0, r.Cost(ReplayOperation.Map).Commands);
        Assert.True(r.ReplayCost.ModeledNanoseconds > 0);

        // Our allocator hands out the same top-down pages below 4 GiB as the trace shows.
        Assert.Equal(3, c.MapsMatchingTrace);

        // Every iommu event is the inner half of its call: checked, not applied again.
        Assert.Equal((6L, 0L, 0L, 0L), (c.IommuClaimed, c.IommuInconsistent, c.IommuMapsApplied, c.IommuUnattributed));
        Assert.Equal(0, c.CallsWithoutIommuEvents);
        Assert.Equal(0, r.Problems.Total);
        Assert.Equal(ReplayEnd.Complete, r.End);
        Assert.Equal(50_000, r.Duration);
        Assert.Equal((4, "header"), (r.CpuCount, r.CpuCountSource));
    }

    [Fact]
    public void Deferred_unmaps_wait_for_the_timer_in_trace_time()
    {
        var trace = Replays.ThreeMapsThreeUnmaps()
            .Line(20_000, "dma_sync_single_for_cpu", $"{HandTrace.Nvme} dir=FROM_DEVICE dma_addr=fffff000 size=64");

        var r = Replays.Run(trace, mode: ReplayMode.Deferred);

        // One flush for all three unmaps, 10 ms after the first was queued (at 30 us).
        Assert.Equal(new SmmuCost(2, 1, 1, 0, 0, r.ReplayCost.ModeledNanoseconds), r.ReplayCost);
        Assert.Equal(r.ReplayCost, r.Cost(ReplayOperation.Timer));
        Assert.Equal(0, r.Cost(ReplayOperation.Unmap).Commands);
        var (_, s) = Assert.Single(r.DmaDomains);
        Assert.Equal((1L, 0L, 3L, 0L), (s.TimeoutFlushes, s.FullFlushes, s.DeferredUnmaps, s.QueueDepth));
        Assert.Equal(1, r.Counters.Syncs);
    }

    [Fact]
    public void Deferred_unmaps_still_queued_when_the_trace_ends_are_reported_not_flushed()
    {
        var r = Replays.Run(Replays.ThreeMapsThreeUnmaps(), mode: ReplayMode.Deferred);

        Assert.Equal(default(SmmuCost), r.ReplayCost);
        var (_, s) = Assert.Single(r.DmaDomains);
        Assert.Equal((0L, 3L), (s.Flushes, s.QueueDepth));
    }

    [Fact]
    public void The_256th_deferred_unmap_on_a_CPU_flushes_a_full_ring()
    {
        var t = new HandTrace();
        for (var i = 0; i < 256; i++)
        {
            t.Map(10 * i, 0xFFFF_F000, 0x8_0000_0000 + ((ulong)i << 12), cpu: 1, iommu: false)
                .Unmap((10 * i) + 5, 0xFFFF_F000, cpu: 1, iommu: false);
        }

        var deferred = Replays.Run(t, mode: ReplayMode.Deferred);
        var strict = Replays.Run(t);

        var (_, s) = Assert.Single(deferred.DmaDomains);
        Assert.Equal((1L, 0L, 255L, 1L), (s.FullFlushes, s.TimeoutFlushes, s.EntriesFreed, s.QueueDepth));
        Assert.Equal((1L, 1L), (deferred.ReplayCost.Syncs, deferred.Cost(ReplayOperation.Unmap).Syncs));
        Assert.Equal((256L, 256L), (strict.ReplayCost.Syncs, strict.ReplayCost.Tlbis));
        Assert.Equal(256, deferred.Counters.Unmaps);

        // The trace reuses one address, as the lazy allocator cannot: fidelity differs by mode.
        Assert.Equal(256, strict.Counters.MapsMatchingTrace);
        Assert.Equal(1, deferred.Counters.MapsMatchingTrace);
    }

    [Fact]
    public void Legacy_and_linux_designs_agree_for_one_stage1_device_without_ATS()
    {
        var linux = Replays.Run(Replays.ThreeMapsThreeUnmaps());
        var legacy = Replays.Run(Replays.ThreeMapsThreeUnmaps(), design: "legacy");

        Assert.Equal("legacy", legacy.Design);
        Assert.Equal((linux.ReplayCost.Commands, linux.ReplayCost.Syncs), (legacy.ReplayCost.Commands, legacy.ReplayCost.Syncs));
    }
}
