using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Tests.PageTables;

/// <summary>Every refused request throws its reason and leaves memory, tables and the flush log as they were.</summary>
public sealed class IoPageTableErrorTests
{
    private const ulong Pa = 0x80_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write;

    public static TheoryData<IoPageTableFormat, Granule> Formats => PageTableHarness.AllFormats();

    private static PageTableHarness Populated(IoPageTableFormat format, Granule granule)
    {
        var h = new PageTableHarness(format, granule, 40, 40);
        ulong g = h.G, b = h.Block;
        h.Table.Map(b, Pa + b, b, Rw);             // one block at [b, 2b)
        h.Table.Map(4 * b, Pa + g, 4 * g, Rw);     // pages at [4b, 4b + 4g)
        h.Log.Clear();
        return h;
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Map_requests_that_are_malformed(IoPageTableFormat format, Granule granule)
    {
        var h = Populated(format, granule);
        ulong g = h.G;
        var t = h.Table;
        h.AssertRefused(IoPageTableError.ZeroSize, () => t.Map(0, Pa, 0, Rw));
        h.AssertRefused(IoPageTableError.Unaligned, () => t.Map(g / 2, Pa, g, Rw));
        h.AssertRefused(IoPageTableError.Unaligned, () => t.Map(0, Pa + 0x800, g, Rw));
        h.AssertRefused(IoPageTableError.Unaligned, () => t.Map(0, Pa, g + 0x800, Rw));
        h.AssertRefused(IoPageTableError.OutOfRange, () => t.Map((1UL << 40) - g, Pa, 2 * g, Rw));
        h.AssertRefused(IoPageTableError.OutOfRange, () => t.Map(1UL << 40, Pa, g, Rw));
        h.AssertRefused(IoPageTableError.OutOfRange, () => t.Map(0, (1UL << 40) - g, 2 * g, Rw));
        h.AssertRefused(IoPageTableError.OutOfRange, () => t.Map(0, 0, ulong.MaxValue - g + 1, Rw));
        h.AssertRefused(IoPageTableError.OutOfRange, () => t.Map(ulong.MaxValue - g + 1, 0, g, Rw));
        h.AssertRefused(IoPageTableError.NoAccess, () => t.Map(0, Pa, g, IommuProt.Cache | IommuProt.NoExec));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Map_over_anything_mapped_changes_nothing(IoPageTableFormat format, Granule granule)
    {
        var h = Populated(format, granule);
        ulong g = h.G, b = h.Block;
        var t = h.Table;

        // Inside a block, straddling its start, covering it, and a large request whose last page overlaps.
        h.AssertRefused(IoPageTableError.AlreadyMapped, () => t.Map(b + g, Pa, g, Rw));
        h.AssertRefused(IoPageTableError.AlreadyMapped, () => t.Map(b - g, Pa, 2 * g, Rw));
        h.AssertRefused(IoPageTableError.AlreadyMapped, () => t.Map(0, 0, 2 * b, Rw));
        h.AssertRefused(IoPageTableError.AlreadyMapped, () => t.Map(2 * b, Pa + g, (2 * b) + g, Rw));

        // A block over a table that still holds pages; pages next to pages.
        h.AssertRefused(IoPageTableError.AlreadyMapped, () => t.Map(4 * b, Pa, b, Rw));
        h.AssertRefused(IoPageTableError.AlreadyMapped, () => t.Map((4 * b) + (3 * g), Pa, 2 * g, Rw));

        // A request that would need a new table and a block before it reaches a mapped page: no table allocated.
        h.AssertRefused(IoPageTableError.AlreadyMapped, () => t.Map((2 * b) + g, Pa + g, 2 * b, Rw));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Unmap_of_holes_and_parts_of_blocks_changes_nothing(IoPageTableFormat format, Granule granule)
    {
        var h = Populated(format, granule);
        ulong g = h.G, b = h.Block;
        var t = h.Table;
        var gather = h.Flush.NewGather();
        h.AssertRefused(IoPageTableError.ZeroSize, () => t.Unmap(b, 0, gather));
        h.AssertRefused(IoPageTableError.Unaligned, () => t.Unmap(b + 8, g, gather));
        h.AssertRefused(IoPageTableError.Unaligned, () => t.Unmap(b, b - 8, gather));
        h.AssertRefused(IoPageTableError.OutOfRange, () => t.Unmap((1UL << 40) - g, 2 * g, gather));
        h.AssertRefused(IoPageTableError.NotMapped, () => t.Unmap(0, g, gather));
        h.AssertRefused(IoPageTableError.NotMapped, () => t.Unmap(b, 2 * b, gather));               // block then hole
        h.AssertRefused(IoPageTableError.NotMapped, () => t.Unmap(b - g, b + g, gather));           // hole then block
        h.AssertRefused(IoPageTableError.NotMapped, () => t.Unmap(4 * b, 5 * g, gather));           // pages then hole
        h.AssertRefused(IoPageTableError.NotMapped, () => t.Unmap(4 * b, b, gather));               // partly mapped table
        h.AssertRefused(IoPageTableError.BlockSplit, () => t.Unmap(b + g, g, gather));
        h.AssertRefused(IoPageTableError.BlockSplit, () => t.Unmap(b, b - g, gather));
        h.AssertRefused(IoPageTableError.BlockSplit, () => t.Unmap(b + (b / 2), b / 2, gather));
        Assert.True(gather.IsEmpty);

        // The same ranges done right still work.
        Assert.Equal(b, h.Unmap(b, b));
        Assert.Equal(4 * g, h.Unmap(4 * b, 4 * g));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_table_allocation_failure_part_way_changes_nothing(IoPageTableFormat format, Granule granule)
    {
        var h = Populated(format, granule);
        ulong g = h.G, b = h.Block;
        var before = h.Snapshot(includeLog: false);
        h.Allocator.FailAt = h.Allocator.Allocations + 1; // the second new table of the request
        Assert.Throws<DmaAllocationException>(() => h.Table.Map(1UL << 38, Pa + g, 3 * b, Rw));
        Assert.Equal(before, h.Snapshot(includeLog: false));
        Assert.DoesNotContain(h.Log, e => e.StartsWith("walk", StringComparison.Ordinal));

        h.Allocator.FailAt = null;
        h.Table.Map(1UL << 38, Pa + g, 3 * b, Rw);
        Assert.True(h.Walk((1UL << 38) + (2 * b)).Ok);
    }
}
