using SmmuLab.Driver.Dma;
using static SmmuLab.Driver.Tests.EndToEnd.Expect;

namespace SmmuLab.Driver.Tests.EndToEnd.Dma;

/// <summary>
/// Scatter-gather layouts worked out by hand from the rules of reference F.2 (one IOVA for the
/// list; padding to segment boundaries; concatenation in __finalise_sg). The device has a 32-bit
/// mask, so an n-page list (n rounded up to a power of two below 32) starts at 4 GiB − n pages.
/// </summary>
public sealed class IommuDmaSgTests
{
    private const ulong P = 0x1_0000_0000;

    [Fact]
    public void Page_aligned_pages_join_into_one_DMA_segment_and_unmap_as_one_range()
    {
        using var t = new DmaTestMachine();
        ScatterlistEntry[] list = [new(P, 0x1000), new(P + 0x10_0000, 0x1000), new(P + 0x20_0000, 0x1000)];
        var segments = new DmaSegment[3];

        // 3 pages reserve 4: IOVA 0xFFFF_C000; three physical runs, three page-table maps.
        Assert.Equal(1, t.Dma.MapSg(t.Device, 0, list, segments, DmaDirection.FromDevice));
        Assert.Equal([new(0xFFFF_C000, 0x3000), new(IommuDma.MappingError, 0), new(IommuDma.MappingError, 0)], segments);
        Assert.Equal(3, t.Dma.Statistics.IommuMaps);
        Assert.Equal(P + 0x20_0000, t.Domain.IovaToPhys(0xFFFF_E000));

        t.Dma.UnmapSg(t.Device, 0, segments, DmaDirection.FromDevice);
        Stream(t.Commands.Take(), NhVa(DmaTestMachine.Asid, 0xFFFF_C000, leaf: true, tg: 1, ttl: 3, scale: 0, num: 2), Sync);
        Assert.Null(t.Domain.IovaToPhys(0xFFFF_C000));
    }

    [Fact]
    public void Physically_contiguous_segments_are_mapped_in_one_call()
    {
        using var t = new DmaTestMachine();
        ScatterlistEntry[] list = [new(P, 0x1000), new(P + 0x1000, 0x1000)];
        var segments = new DmaSegment[2];
        Assert.Equal(1, t.Dma.MapSg(t.Device, 0, list, segments, DmaDirection.Bidirectional));
        Assert.Equal(new DmaSegment(0xFFFF_E000, 0x2000), segments[0]);
        Assert.Equal(1, t.Dma.Statistics.IommuMaps);
    }

    [Fact]
    public void A_segment_with_an_offset_starts_a_new_DMA_segment_at_its_offset()
    {
        using var t = new DmaTestMachine();
        ScatterlistEntry[] list = [new(P, 0x1000), new(P + 0x2_0200, 0x200)];
        var segments = new DmaSegment[2];

        // Two pages at 0xFFFF_E000; the second segment sits 0x200 into the second page.
        Assert.Equal(2, t.Dma.MapSg(t.Device, 0, list, segments, DmaDirection.ToDevice));
        Assert.Equal([new(0xFFFF_E000, 0x1000), new(0xFFFF_F200, 0x200)], segments);
        Assert.Equal(P + 0x2_0200, t.Domain.IovaToPhys(0xFFFF_F200));
    }

    [Fact]
    public void Nothing_joins_a_segment_that_does_not_fill_its_last_granule()
    {
        using var t = new DmaTestMachine();
        ScatterlistEntry[] list = [new(P, 0x800), new(P + 0x1_0000, 0x1000)];
        var segments = new DmaSegment[2];
        Assert.Equal(2, t.Dma.MapSg(t.Device, 0, list, segments, DmaDirection.ToDevice));
        Assert.Equal([new(0xFFFF_E000, 0x800), new(0xFFFF_F000, 0x1000)], segments);
    }

    [Fact]
    public void The_maximum_segment_size_splits_the_output()
    {
        using var t = new DmaTestMachine();
        var list = Enumerable.Range(0, 17).Select(i => new ScatterlistEntry(P + ((ulong)i << 20), 0x1000)).ToArray();
        var segments = new DmaSegment[17];

        // 17 pages reserve 32, 32-aligned: IOVA 0xFFFE_0000. 16 pages fill the 64 KiB maximum.
        Assert.Equal(2, t.Dma.MapSg(t.Device, 0, list, segments, DmaDirection.ToDevice));
        Assert.Equal(new DmaSegment(0xFFFE_0000, 0x1_0000), segments[0]);
        Assert.Equal(new DmaSegment(0xFFFF_0000, 0x1000), segments[1]);
    }

    [Fact]
    public void A_segment_boundary_is_reached_by_padding_the_previous_segment()
    {
        // 64 KiB boundaries. 3 pages, then 15: the padding to the boundary (0xD000) is shorter
        // than 15 pages − 1, so the first segment grows to 0x10000; total 0x1F000 = 31 pages,
        // reserved as 32: IOVA 0xFFFE_0000, and the second segment starts on the boundary.
        using var t = new DmaTestMachine(device: new DmaDeviceOptions { SegmentBoundaryMask = 0xFFFF });
        ScatterlistEntry[] list = [new(P, 0x3000), new(P + 0x10_0000, 0xF000)];
        var segments = new DmaSegment[2];
        Assert.Equal(2, t.Dma.MapSg(t.Device, 0, list, segments, DmaDirection.ToDevice));
        Assert.Equal([new(0xFFFE_0000, 0x3000), new(0xFFFF_0000, 0xF000)], segments);

        // The padding maps the physical pages after the first segment.
        Assert.Equal(P + 0x5000, t.Domain.IovaToPhys(0xFFFE_5000));
        Assert.Equal(P + 0x10_0000, t.Domain.IovaToPhys(0xFFFF_0000));
    }

    [Fact]
    public void No_padding_when_the_distance_to_the_boundary_is_not_shorter_than_the_segment()
    {
        // 3 pages then 1: the padding (0xD000) is not below 0x1000 − 1, so the pages join: 4 pages.
        using var t = new DmaTestMachine(device: new DmaDeviceOptions { SegmentBoundaryMask = 0xFFFF });
        ScatterlistEntry[] list = [new(P, 0x3000), new(P + 0x10_0000, 0x1000)];
        var segments = new DmaSegment[2];
        Assert.Equal(1, t.Dma.MapSg(t.Device, 0, list, segments, DmaDirection.ToDevice));
        Assert.Equal(new DmaSegment(0xFFFF_C000, 0x4000), segments[0]);
    }

    [Fact]
    public void A_running_address_on_a_segment_boundary_starts_a_new_segment()
    {
        // 16 KiB boundaries, eight pages at IOVA 0xFFFF_8000: the fifth page starts at 0xFFFF_C000,
        // a boundary, so it does not join the first four.
        using var t = new DmaTestMachine(device: new DmaDeviceOptions { SegmentBoundaryMask = 0x3FFF });
        var list = Enumerable.Range(0, 8).Select(i => new ScatterlistEntry(P + ((ulong)i << 20), 0x1000)).ToArray();
        var segments = new DmaSegment[8];
        Assert.Equal(2, t.Dma.MapSg(t.Device, 0, list, segments, DmaDirection.ToDevice));
        Assert.Equal(new DmaSegment(0xFFFF_8000, 0x4000), segments[0]);
        Assert.Equal(new DmaSegment(0xFFFF_C000, 0x4000), segments[1]);
    }

    [Fact]
    public void A_lazy_sg_unmap_is_one_queue_entry_of_the_whole_IOVA()
    {
        using var t = new DmaTestMachine(DmaDomainType.DmaFq);
        ScatterlistEntry[] list = [new(P + 0x100, 0xF00), new(P + 0x10_0000, 0x2000)];
        var segments = new DmaSegment[2];
        Assert.Equal(1, t.Dma.MapSg(t.Device, 0, list, segments, DmaDirection.Bidirectional));

        // Offset 0x100 stays in the address; the second segment joins (page-aligned start, and the
        // first ends on its granule boundary): 0xF00 + 0x2000. IOVA: 3 pages reserve 4.
        Assert.Equal(new DmaSegment(0xFFFF_C100, 0x2F00), segments[0]);
        t.Dma.UnmapSg(t.Device, 0, segments, DmaDirection.Bidirectional);
        Assert.Empty(t.Commands.Take());
        Assert.Equal(1, t.Dma.FlushQueue!.Depth);

        // The timer frees it into CPU 0's 4-page class (3 pages: order_base_2 = 2).
        t.Clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(1, t.Dma.Iovad.CachedFrames(0, 2));
    }

    [Fact]
    public void Output_slots_must_cover_the_list_and_IOVA_exhaustion_is_ENOMEM()
    {
        using var t = new DmaTestMachine(reserved: [(0x1000, 0xFFFF_FFFF)]);
        ScatterlistEntry[] list = [new(P, 0x1000), new(P + 0x1000, 0x1000)];
        Assert.Throws<ArgumentException>(() => t.Dma.MapSg(t.Device, 0, list, new DmaSegment[1], DmaDirection.ToDevice));
        var segments = new DmaSegment[2];
        Assert.Equal(DmaMapError.NoMemory, t.Dma.MapSg(t.Device, 0, list, segments, DmaDirection.ToDevice));
        Assert.All(segments, s => Assert.Equal(new DmaSegment(IommuDma.MappingError, 0), s));
    }
}
