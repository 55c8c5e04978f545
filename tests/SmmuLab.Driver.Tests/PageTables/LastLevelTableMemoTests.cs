using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.PageTables;

namespace SmmuLab.Driver.Tests.PageTables;

/// <summary>
/// Requests of many pages remember the last-level table they are in (<see cref="LastLevelTableMemo"/>);
/// across region boundaries, next to blocks and with refusals they must behave exactly as page-by-page requests.
/// </summary>
public sealed class LastLevelTableMemoTests
{
    private const ulong Pa = 0x80_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write;

    [Fact]
    public void A_request_over_existing_and_missing_leaf_tables_leaves_what_page_by_page_requests_leave()
    {
        var whole = new PageTableHarness(IoPageTableFormat.Stage1, Granule.Size4K);
        var single = new PageTableHarness(IoPageTableFormat.Stage1, Granule.Size4K);
        ulong g = whole.G, b = whole.Block;
        foreach (var h in new[] { whole, single })
        {
            h.Table.Map(b + (5 * g), Pa, g, Rw); // the second region's table exists, the first's and third's do not
            h.Unmap(b + (5 * g), g);
        }

        // 8 pages before the boundary, a whole region in pages (the PA is not block-aligned), 8 pages after.
        var start = b - (8 * g);
        var size = b + (16 * g);
        whole.Table.Map(start, Pa + g, size, Rw);
        for (var va = start; va < start + size; va += g)
        {
            single.Table.Map(va, Pa + g + (va - start), g, Rw);
        }

        Assert.Equal(single.Snapshot(includeLog: false), whole.Snapshot(includeLog: false));
        for (var va = start; va < start + size; va += 7 * g)
        {
            Assert.Equal(Pa + g + (va - start) + 8, whole.Walk(va + 8).OutputAddress);
        }

        // One unmap: the pages of the first and last regions are cleared (their tables stay) and the
        // middle region, a block-sized piece over a full table, takes the table with it.
        var tables = whole.Table.TablePages;
        whole.Flush.Pages.Clear();
        Assert.Equal(size, whole.Unmap(start, size));
        for (var va = start; va < start + size; va += g)
        {
            Assert.False(whole.Walk(va).Ok);
        }

        Assert.Equal(tables - 1, whole.Table.TablePages);
        Assert.Equal(whole.Table.TablePages, whole.Allocator.Live.Count);
        Assert.Equal(16, whole.Flush.Pages.Count);
        Assert.Equal([(b, b, g)], whole.Flush.WalkFlushes);
    }

    [Fact]
    public void A_taken_page_or_a_hole_inside_a_remembered_table_refuses_the_whole_request_and_changes_nothing()
    {
        var h = new PageTableHarness(IoPageTableFormat.Stage1, Granule.Size4K);
        ulong g = h.G, b = h.Block;
        h.Table.Map(b, Pa, 64 * g, Rw);

        // The 40th page of a new request is taken: refused before anything is written.
        h.Unmap(b + (40 * g), g);
        h.Table.Map(b + (100 * g), Pa, g, Rw);
        h.AssertRefused(IoPageTableError.AlreadyMapped, () => h.Table.Map(b + (64 * g), Pa, 64 * g, Rw));

        // A hole at the 40th page of an unmap: refused, every page still mapped.
        h.AssertRefused(IoPageTableError.NotMapped, () => h.Table.Unmap(b, 64 * g, new IotlbGather()));
        Assert.True(h.Walk(b + (39 * g)).Ok);
        Assert.True(h.Walk(b + (41 * g)).Ok);
    }

    [Fact]
    public void A_block_between_pages_is_mapped_and_unmapped_as_a_block()
    {
        var h = new PageTableHarness(IoPageTableFormat.Stage1, Granule.Size4K);
        ulong g = h.G, b = h.Block;
        h.Table.Map(b - g, Pa, g, Rw); // the first region's table exists
        h.Unmap(b - g, g);

        // Page, 2 MiB block (PA aligned), page: the memo must not carry a table across the block.
        h.Table.Map(b - g, Pa + b - g, b + (2 * g), Rw);
        Assert.True(h.Table.TryGetLeaf(b - g, out var first));
        Assert.True(h.Table.TryGetLeaf(b + g, out var block));
        Assert.True(h.Table.TryGetLeaf(2 * b, out var last));
        Assert.Equal((3, 2, 3), (first.Level, block.Level, last.Level));
        Assert.Equal(Pa + (2 * b) + 8, h.Walk((2 * b) + 8).OutputAddress);

        Assert.Equal(b + (2 * g), h.Unmap(b - g, b + (2 * g)));
        Assert.False(h.Walk(b - g).Ok);
        Assert.False(h.Walk(b + g).Ok);
        Assert.False(h.Walk(2 * b).Ok);
    }
}
