using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.PageTables;

namespace SmmuLab.Driver.Tests.PageTables;

/// <summary>Tables are freed only when a whole block-sized piece meets them: clear, walk flush, then free.</summary>
public sealed class IoPageTableFreeingTests
{
    private const ulong Pa = 0x80_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write;

    public static TheoryData<IoPageTableFormat, Granule> Formats => PageTableHarness.AllFormats();

    [Theory]
    [MemberData(nameof(Formats))]
    public void Unmapping_a_block_sized_range_over_a_full_table_flushes_the_walk_then_frees_it(IoPageTableFormat format, Granule granule)
    {
        var h = new PageTableHarness(format, granule);
        ulong g = h.G, b = h.Block;
        h.Table.Map(b, Pa + g, b, Rw); // pages: the PA is not block-aligned
        var l3 = TableOf(h, b);
        var tables = h.Table.TablePages;
        h.Log.Clear();

        Assert.Equal(b, h.Unmap(b, b));

        Assert.Equal([(b, b, g)], h.Flush.WalkFlushes);
        Assert.Empty(h.Flush.Pages);
        Assert.Empty(h.Flush.LeafInvalidations);
        Assert.Equal([$"walk 0x{b:X} 0x{b:X} 0x{g:X}", $"free 0x{l3:X}"], h.Log);
        Assert.Equal(tables - 1, h.Table.TablePages);
        Assert.False(h.Allocator.Live.ContainsKey(l3));
        Assert.False(h.Walk(b).Ok);
        Assert.False(h.Table.TryIovaToPhys(b + b - g, out _));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_table_whose_last_page_went_stays_until_a_block_replaces_it(IoPageTableFormat format, Granule granule)
    {
        var h = new PageTableHarness(format, granule);
        ulong g = h.G, b = h.Block;
        h.Table.Map(b, Pa + g, b, Rw);
        var l3 = TableOf(h, b);
        var tables = h.Table.TablePages;

        h.Unmap(b, b / 2);
        h.Unmap(b + (b / 2), b / 2);
        Assert.Empty(h.Flush.WalkFlushes);
        Assert.Equal(tables, h.Table.TablePages);
        Assert.True(h.Allocator.Live.ContainsKey(l3));
        Assert.Equal((int)(b / g), h.Flush.Pages.Count);
        Assert.All(h.Flush.Pages, p => Assert.Equal(g, p.Size));
        Assert.Equal([(b, b / 2, g), (b + (b / 2), b / 2, g)], h.Flush.LeafInvalidations);

        // The now-empty range is not mapped: a block-sized unmap is refused, the table stays.
        h.AssertRefused(IoPageTableError.NotMapped, () => h.Table.Unmap(b, b, h.Flush.NewGather()));

        h.Log.Clear();
        h.Table.Map(b, Pa, b, Rw);
        Assert.Equal([$"walk 0x{b:X} 0x{b:X} 0x{g:X}", $"free 0x{l3:X}"], h.Log);
        Assert.Equal(tables - 1, h.Table.TablePages);
        IoPageTableMapUnmapTests.AssertLeaf(h, b + g, Pa + g, 2, b);
    }

    [Fact]
    public void A_level_1_piece_frees_the_level_2_table_and_every_table_below_after_one_walk_flush()
    {
        const ulong G1 = 0x4000_0000, M2 = 0x20_0000, K4 = 0x1000;
        var h = new PageTableHarness(IoPageTableFormat.Stage1, Granule.Size4K);
        h.Table.Map(G1, Pa, G1 - (2 * M2), Rw);                  // 510 blocks
        h.Table.Map((2 * G1) - (2 * M2), Pa + K4, 2 * M2, Rw);   // two tables of pages
        var l2 = h.Table.TryGetLeaf(G1, out var block) ? block.DescriptorAddress & ~(K4 - 1) : 0;
        var l3a = TableOf(h, (2 * G1) - (2 * M2));
        var l3b = TableOf(h, (2 * G1) - M2);
        var tables = h.Table.TablePages;
        h.Log.Clear();

        h.Unmap(G1, G1);

        Assert.Equal([(G1, G1, K4)], h.Flush.WalkFlushes);
        Assert.Equal("walk 0x40000000 0x40000000 0x1000", h.Log[0]);
        Assert.Equal(new[] { $"free 0x{l2:X}", $"free 0x{l3a:X}", $"free 0x{l3b:X}" }.Order(), h.Log.Skip(1).Order());
        Assert.Empty(h.Flush.Pages);
        Assert.Equal(tables - 3, h.Table.TablePages);
    }

    [Fact]
    public void A_queued_gather_gets_no_leaf_pages_but_walk_flushes_still_happen()
    {
        var h = new PageTableHarness(IoPageTableFormat.Stage2, Granule.Size4K);
        h.Table.Map(0x20_0000, Pa + 0x1000, 0x20_0000, Rw);
        h.Table.Map(0x40_0000, Pa, 0x1000, Rw);
        var gather = h.Flush.NewGather();
        gather.Queued = true;
        Assert.Equal(0x20_1000UL, h.Table.Unmap(0x20_0000, 0x20_1000, gather));
        Assert.True(gather.IsEmpty);
        Assert.Empty(h.Flush.Pages);
        Assert.Single(h.Flush.WalkFlushes);
    }

    private static ulong TableOf(PageTableHarness h, ulong iova) =>
        h.Table.TryGetLeaf(iova, out var leaf) ? leaf.DescriptorAddress & ~(h.G - 1) : throw new InvalidOperationException();
}
