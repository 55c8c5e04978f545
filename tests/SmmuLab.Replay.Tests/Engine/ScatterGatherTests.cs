using System.Collections.Immutable;
using SmmuLab.Driver.Dma;
using SmmuLab.Replay.Engine;
using SmmuLab.Replay.Events;
using TraceDirection = SmmuLab.Replay.Events.DmaDirection;

namespace SmmuLab.Replay.Tests.Engine;

/// <summary>dma_map_sg/dma_unmap_sg replayed, and the input list rebuilt from what the event prints.</summary>
public sealed class ScatterGatherTests
{
    [Fact]
    public void A_three_page_list_maps_in_one_IOVA_range_and_unmaps_with_one_invalidation()
    {
        // Three scattered pages: one 16 KiB IOVA (3 pages round up to 4, aligned to 16 KiB),
        // three iommu maps (one per physically contiguous run), one DMA segment of 12 KiB.
        var t = new HandTrace()
            .Line(0, "map", "IOMMU: iova=0x00000000ffffc000 - 0x00000000ffffd000 paddr=0x0000000800010000 size=4096")
            .Line(0, "map", "IOMMU: iova=0x00000000ffffd000 - 0x00000000ffffe000 paddr=0x0000000800030000 size=4096")
            .Line(0, "map", "IOMMU: iova=0x00000000ffffe000 - 0x00000000fffff000 paddr=0x0000000800020000 size=4096")
            .Line(1, "dma_map_sg", $"{HandTrace.Nvme} dir=TO_DEVICE dma_addrs={{0xffffc000}} sizes={{0x3000}} phys_addrs={{0x800010000,0x800030000,0x800020000}} attrs=")
            .Line(40, "dma_unmap_sg", $"{HandTrace.Nvme} dir=TO_DEVICE phys_addrs={{0x800010000,0x800030000,0x800020000}} attrs=", flags: "d.h1.")
            .Line(40, "unmap", "IOMMU: iova=0x00000000ffffc000 - 0x00000000fffff000 size=12288 unmapped_size=12288", flags: "d.h1.");

        var r = Replays.Run(t);

        var c = r.Counters;
        Assert.Equal((1L, 1L, 1L, 12288L), (c.SgMaps, c.SgMapsMatchingTrace, c.SgUnmaps, c.BytesMapped));
        Assert.Equal((4L, 0L, 0L), (c.IommuClaimed, c.IommuInconsistent, c.IommuUnattributed));
        Assert.Equal(new SmmuCost(2, 1, 1, 0, 0, r.ReplayCost.ModeledNanoseconds), r.Cost(ReplayOperation.UnmapSg));
        Assert.Equal(3, r.DmaDomains.Single().Statistics.IommuMaps);
    }

    [Fact]
    public void A_list_cut_at_128_entries_is_not_replayed_and_says_why()
    {
        var phys = string.Join(',', Enumerable.Range(0, 128).Select(i => $"0x{0x8_0000_0000UL + ((ulong)i << 13):x}"));
        var dma = string.Join(',', Enumerable.Range(0, 128).Select(i => $"0x{0xFF00_0000UL + ((ulong)i << 12):x}"));
        var sizes = string.Join(',', Enumerable.Repeat("0x1000", 128));
        var t = new HandTrace().Line(0, "dma_map_sg",
            $"{HandTrace.Nvme} dir=TO_DEVICE nents=128/200 ents=128/200 [TRUNCATED] dma_addrs={{{dma}}} sizes={{{sizes}}} phys_addrs={{{phys}}} attrs=");

        var r = Replays.Run(t);

        Assert.Equal(0, r.Counters.SgMaps);
        Assert.Equal("list cut at 128 entries in the trace", Assert.Single(r.Problems.Samples(ReplayProblem.NotReplayable)).Detail);
    }

    [Fact]
    public void Input_lengths_are_the_output_lengths_when_nothing_was_joined()
    {
        var list = Assert.IsType<ScatterlistEntry[]>(SgLayout.InputList(Sg([0x1000, 0x5000], [0xFFFF_0000, 0xFFFF_2000], [0x1800, 0x200])));

        Assert.Equal([new ScatterlistEntry(0x1000, 0x1800), new ScatterlistEntry(0x5000, 0x200)], list);
    }

    [Fact]
    public void Joined_segments_run_to_their_page_end_and_the_last_takes_the_rest()
    {
        var list = Assert.IsType<ScatterlistEntry[]>(SgLayout.InputList(Sg([0x1_0200, 0x3_0000, 0x5_0000], [0xFFFF_0200], [0x2E00 + 0x800])));

        Assert.Equal([new ScatterlistEntry(0x1_0200, 0xE00), new ScatterlistEntry(0x3_0000, 0x1000), new ScatterlistEntry(0x5_0000, 0x1800)], list);
    }

    [Fact]
    public void When_pages_do_not_fit_the_total_it_is_shared_out()
    {
        var list = Assert.IsType<ScatterlistEntry[]>(SgLayout.InputList(Sg([0x1_0000, 0x3_0000, 0x5_0000], [0xFFFF_0000], [0x1000])));

        Assert.Equal([new ScatterlistEntry(0x1_0000, 0x555), new ScatterlistEntry(0x3_0000, 0x555), new ScatterlistEntry(0x5_0000, 0x556)], list);
    }

    private static DmaMapSgEvent Sg(ulong[] phys, ulong[] dma, uint[] lengths) =>
        new(HandTrace.Nvme, TraceDirection.ToDevice, phys.Length, dma.Length, CountsPrinted: false, Truncated: false,
            [.. dma], [.. lengths], ImmutableArray.Create(phys), Events.DmaAttributes.None);
}
