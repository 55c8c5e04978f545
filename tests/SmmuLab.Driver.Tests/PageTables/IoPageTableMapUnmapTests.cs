using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.PageTables;
using SmmuLab.TestSupport.Memory;

namespace SmmuLab.Driver.Tests.PageTables;

public sealed class IoPageTableMapUnmapTests
{
    private const ulong Pa = 0x80_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write;

    public static TheoryData<IoPageTableFormat, Granule> Formats => PageTableHarness.AllFormats();

    [Theory]
    [MemberData(nameof(Formats))]
    public void Blocks_are_used_where_alignment_allows_and_pages_elsewhere(IoPageTableFormat format, Granule granule)
    {
        var h = new PageTableHarness(format, granule);
        ulong g = h.G, b = h.Block;
        h.Table.Map(b - g, Pa + b - g, (2 * b) + (2 * g), Rw | IommuProt.Cache);

        AssertLeaf(h, b - g, Pa + b - g, 3, g);
        AssertLeaf(h, b, Pa + b, 2, b);
        AssertLeaf(h, (2 * b) + (5 * g) + 8, Pa + (2 * b) + (5 * g) + 8, 2, b);
        AssertLeaf(h, 3 * b, Pa + (3 * b), 3, g);
        Assert.False(h.Table.TryIovaToPhys(b - (2 * g), out _));
        Assert.False(h.Table.TryIovaToPhys((3 * b) + g, out _));
        Assert.Equal(0UL, h.Table.IovaToPhys((3 * b) + g));
        var tables = h.Table.TablePages;
        Assert.Equal(tables, h.Allocator.Live.Count);

        h.Log.Clear();
        Assert.Equal((2 * b) + (2 * g), h.Unmap(b - g, (2 * b) + (2 * g)));
        Assert.Equal([(b - g, g), (b, b), (2 * b, b), (3 * b, g)], h.Flush.Pages);
        Assert.Equal([(b - g, g, g), (b, 2 * b, b), (3 * b, g, g)], h.Flush.LeafInvalidations);
        Assert.Empty(h.Flush.WalkFlushes);
        Assert.Equal(tables, h.Table.TablePages); // emptied tables stay
        for (var iova = b - g; iova < (3 * b) + g; iova += g)
        {
            Assert.False(h.Table.TryIovaToPhys(iova, out _));
            Assert.False(h.Walk(iova).Ok);
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_PA_misaligned_to_the_block_gives_pages_throughout(IoPageTableFormat format, Granule granule)
    {
        var h = new PageTableHarness(format, granule);
        ulong g = h.G, b = h.Block;
        h.Table.Map(b, Pa + g, b, IommuProt.Read);
        for (var iova = b; iova < 2 * b; iova += g)
        {
            Assert.True(h.Table.TryGetLeaf(iova, out var leaf));
            Assert.Equal((3, Pa + g + iova - b), (leaf.Level, leaf.OutputAddress));
            var walk = h.Walk(iova + 8);
            Assert.True(walk.Ok);
            Assert.Equal(Pa + g + iova - b + 8, walk.OutputAddress);
        }
    }

    [Fact]
    public void Level_1_blocks_with_4K_and_with_64K_under_a_52_bit_output()
    {
        var h = new PageTableHarness(IoPageTableFormat.Stage1, Granule.Size4K);
        h.Table.Map(0x4000_0000, 0x1_4000_0000, 0x4000_0000, IommuProt.Read);
        AssertLeaf(h, 0x4000_0000 + 0x1234_5678, 0x1_4000_0000 + 0x1234_5678, 1, 0x4000_0000);

        var h64 = new PageTableHarness(IoPageTableFormat.Stage2, Granule.Size64K, 48, 52);
        const ulong T4 = 1UL << 42;
        h64.Table.Map(T4, 0xF_0000_0000_0000 - T4, T4, Rw);
        AssertLeaf(h64, T4 + 0x10_0000, 0xF_0000_0000_0000 - T4 + 0x10_0000, 1, T4);
    }

    [Theory]
    [InlineData(Granule.Size4K, 40)]
    [InlineData(Granule.Size4K, 42)]
    [InlineData(Granule.Size16K, 48)]
    public void Concatenated_stage2_start_tables_are_indexed_across_all_tables(Granule granule, int bits)
    {
        var h = new PageTableHarness(IoPageTableFormat.Stage2, granule, bits, bits);
        Assert.True(h.Config.ConcatenatedTables > 1);
        Assert.Equal(h.Config.StartLevelTableBytes, h.Table.StartLevelTableBytes);
        Assert.Equal(0UL, h.Table.TableBase % h.Table.StartLevelTableBytes);
        var top = (1UL << bits) - h.G;
        h.Table.Map(top, 0x1000_0000, h.G, IommuProt.Read);
        h.Table.Map(0, 0x2000_0000, h.G, IommuProt.Read);
        AssertLeaf(h, top, 0x1000_0000, 3, h.G);
        AssertLeaf(h, 0, 0x2000_0000, 3, h.G);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Leaves_carry_the_protection_the_walker_grants(IoPageTableFormat format, Granule granule)
    {
        var h = new PageTableHarness(format, granule);
        h.Table.Map(0, Pa, h.G, IommuProt.Read);
        h.Table.Map(h.G, Pa, h.G, Rw);
        Assert.Equal(PteAttributes.Leaf(IommuProt.Read, h.Config), h.Table.LeafAttributes(0));
        Assert.False(h.Walk(0).Permissions.HasFlag(Hardware.Translation.Permissions.WritePrivileged));
        Assert.True(h.Walk(h.G).Permissions.HasFlag(Hardware.Translation.Permissions.WritePrivileged));
        if (format == IoPageTableFormat.Stage1)
        {
            Assert.False(h.Walk(0).Global); // nG is always set at stage 1
        }
    }

    [Fact]
    public void New_tables_are_zeroed_before_the_descriptor_that_points_at_them()
    {
        var h = new PageTableHarness(new IoPageTableConfig(IoPageTableFormat.Stage1, Granule.Size4K, 48, 48, false), dirtyAllocator: true);
        var writes = new List<(ulong Pa, ulong Length, ulong? Value)>();
        var recording = new RecordingMemory(h.Memory, writes);
        var table = new IoPageTable(h.Config, recording, h.Allocator, h.Flush);
        table.Map(0x20_0000 - 0x1000, Pa + 0x1000, 0x2000, IommuProt.Read);
        var tableWrites = 0;
        for (var i = 0; i < writes.Count; i++)
        {
            if (writes[i].Value is { } v && (v & 3) == 3 && h.Allocator.Live.ContainsKey(v & Descriptor.OutputAddressMask48))
            {
                var target = v & Descriptor.OutputAddressMask48;
                Assert.Contains(writes.Take(i), w => w.Value is null && w.Pa <= target && w.Pa + w.Length >= target + 0x1000);
                tableWrites++;
            }
        }

        Assert.Equal(4, tableWrites); // L1, L2 and two L3 tables
        Assert.True(table.TryIovaToPhys(0x20_0000, out var pa));
        Assert.Equal(Pa + 0x2000, pa);
        for (var iova = 0UL; iova < 0x40_0000; iova += 0x1000)
        {
            Assert.Equal(iova is 0x1F_F000 or 0x20_0000, table.TryIovaToPhys(iova, out _));
        }
    }

    [Fact]
    public void Map_and_unmap_in_existing_tables_do_not_allocate()
    {
        var h = new PageTableHarness(IoPageTableFormat.Stage1, Granule.Size4K);
        h.Flush.Logging = false;
        var gather = new IotlbGather(static _ => { });
        h.Table.Map(0x10_0000, Pa, 0x1000, Rw);
        h.Table.Unmap(0x10_0000, 0x1000, gather);
        gather.Sync();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            h.Table.Map(0x10_0000, Pa, 0x8000, Rw);
            h.Table.Unmap(0x10_0000, 0x8000, gather);
            gather.Sync();
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());

        // What the loop did: every unmap gathered its 8 pages and synced; the range is unmapped.
        Assert.Equal(101, gather.Syncs);
        Assert.False(h.Table.TryIovaToPhys(0x10_7000, out _));
        h.Table.Map(0x10_0000, Pa, 0x8000, Rw);
        Assert.True(h.Table.TryIovaToPhys(0x10_7000, out var pa));
        Assert.Equal(Pa + 0x7000, pa);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Dispose_frees_every_table(IoPageTableFormat format, Granule granule)
    {
        var h = new PageTableHarness(format, granule);
        h.Table.Map(h.G, Pa + h.G, (3 * h.Block) - h.G, Rw);
        h.Table.Map(1UL << 40, Pa, h.G, Rw);
        Assert.True(h.Allocator.Live.Count > 3);
        h.Table.Dispose();
        Assert.Empty(h.Allocator.Live);
        Assert.Equal(0, h.Table.TablePages);
        Assert.Throws<ObjectDisposedException>(() => h.Table.Map(0, 0, h.G, Rw));
        h.Table.Dispose();
    }

    internal static void AssertLeaf(PageTableHarness h, ulong iova, ulong pa, int level, ulong size)
    {
        Assert.True(h.Table.TryGetLeaf(iova, out var leaf), $"0x{iova:X} not mapped");
        Assert.Equal((pa, level, size), (leaf.OutputAddress, leaf.Level, leaf.Size));
        var walk = h.Walk(iova);
        Assert.True(walk.Ok, $"walker faulted {walk.Fault} at 0x{iova:X}");
        Assert.Equal((pa, level, System.Numerics.BitOperations.Log2(size)), (walk.OutputAddress, walk.Level, walk.BlockShift));
    }
}
