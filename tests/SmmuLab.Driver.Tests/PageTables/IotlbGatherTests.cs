using SmmuLab.Driver.PageTables;
using SmmuLab.TestSupport.Memory;

namespace SmmuLab.Driver.Tests.PageTables;

public sealed class IotlbGatherTests
{
    private const ulong P = 0x1000;

    private sealed class Syncs
    {
        public List<(ulong Start, ulong Size, ulong PageSize)> Done { get; } = [];

        public IotlbGather New() => new(g => Done.Add((g.Start, g.Size, g.PageSize)));
    }

    [Fact]
    public void A_new_gather_is_empty_and_accepts_anything()
    {
        var g = new IotlbGather();
        Assert.True(g.IsEmpty);
        Assert.Equal(0UL, g.Size);
        Assert.False(g.NeedsSyncBeforeAdding(0x5000, P));
        Assert.False(g.IsDisjoint(0x5000, P));
        g.Sync(); // nothing gathered: no callback needed
        Assert.Equal(0, g.Syncs);
    }

    [Fact]
    public void Contiguous_pages_of_one_size_merge_in_either_direction()
    {
        var s = new Syncs();
        var g = s.New();
        g.AddPage(0x10_000, P);
        g.AddPage(0x11_000, P);
        g.AddPage(0xF_000, P);
        g.AddPage(0x10_000, P); // overlapping: merges too
        Assert.Equal((0xF_000UL, 0x11_FFFUL, P, 0x3000UL), (g.Start, g.End, g.PageSize, g.Size));
        Assert.Empty(s.Done);
        g.Sync();
        Assert.Equal([(0xF_000UL, 0x3000UL, P)], s.Done);
        Assert.True(g.IsEmpty);
    }

    [Fact]
    public void A_disjoint_page_syncs_first()
    {
        var s = new Syncs();
        var g = s.New();
        g.AddPage(0x10_000, P);
        g.AddPage(0x11_000, P);
        Assert.True(g.IsDisjoint(0x13_000, P));
        Assert.True(g.NeedsSyncBeforeAdding(0xE_000, P));
        Assert.False(g.NeedsSyncBeforeAdding(0x12_000, P));
        g.AddPage(0x13_000, P);
        Assert.Equal([(0x10_000UL, 0x2000UL, P)], s.Done);
        Assert.Equal((0x13_000UL, 0x13_FFFUL), (g.Start, g.End));
    }

    [Fact]
    public void A_page_of_another_size_syncs_first_even_when_contiguous()
    {
        var s = new Syncs();
        var g = s.New();
        g.AddPage(0x1F_F000, P);
        Assert.True(g.NeedsSyncBeforeAdding(0x20_0000, 0x20_0000));
        g.AddPage(0x20_0000, 0x20_0000);
        g.AddPage(0x40_0000, 0x20_0000);
        g.AddPage(0x60_0000, P);
        Assert.Equal([(0x1F_F000UL, P, P), (0x20_0000UL, 0x40_0000UL, 0x20_0000UL)], s.Done);
        Assert.Equal((0x60_0000UL, P), (g.Start, g.PageSize));
    }

    [Fact]
    public void Add_refuses_a_page_that_needs_a_sync_and_add_page_needs_a_callback_then()
    {
        var g = new IotlbGather();
        g.Add(0x10_000, P);
        Assert.Throws<InvalidOperationException>(() => g.Add(0x20_000, P));
        Assert.Throws<InvalidOperationException>(() => g.Add(0x11_000, 2 * P));
        Assert.Throws<InvalidOperationException>(() => g.AddPage(0x20_000, P));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.Add(0x11_000, 0));
        g.Reset();
        g.Add(0x20_000, P);
        Assert.Equal(0x20_000UL, g.Start);
    }

    [Fact]
    public void The_top_of_the_address_space_does_not_wrap()
    {
        var g = new IotlbGather();
        g.Add(ulong.MaxValue - P + 1, P);
        Assert.Equal(ulong.MaxValue, g.End);
        Assert.False(g.IsDisjoint(ulong.MaxValue - (2 * P) + 1, P));
        Assert.True(g.IsDisjoint(0, P));
    }

    [Fact]
    public void The_freelist_is_released_by_the_owner_after_the_sync()
    {
        var memory = new Hardware.Memory.SparsePhysicalMemory();
        var allocator = new TestDmaAllocator(memory);
        var a = allocator.Allocate(P, P);
        var released = 0;
        var g = new IotlbGather(x =>
        {
            released = x.Freelist.Count;
            x.ReleaseFreelist(allocator);
        });
        g.DeferFree(a, P);
        Assert.Equal([(a, P)], g.Freelist);
        g.Sync(); // the freelist alone makes a sync necessary
        Assert.Equal(1, released);
        Assert.Empty(allocator.Live);
        Assert.Empty(g.Freelist);
    }

    [Fact]
    public void Adding_pages_does_not_allocate()
    {
        var g = new IotlbGather(static _ => { });
        g.AddPage(0, P);
        g.Sync();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0UL; i < 1000; i++)
        {
            g.AddPage((i % 7 == 0 ? 0x100_0000UL : 0) + (i * P), i % 13 == 0 ? 2 * P : P);
        }

        g.Sync();
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());

        // What was gathered: a sync at every change of page size or break in contiguity (397 with the
        // first), and nothing is left.
        Assert.True(g.IsEmpty);
        Assert.Equal(397, g.Syncs);
    }
}
