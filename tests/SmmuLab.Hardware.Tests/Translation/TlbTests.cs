using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Translation;

public sealed class TlbTests
{
    private static readonly TranslationContext Nh = TranslationContext.Stage1Nh(5, 9);

    [Fact]
    public void Pages_and_blocks_of_several_sizes_are_found()
    {
        var tlb = new Tlb(new TlbOptions { Capacity = 64, Ways = 4 });
        tlb.Insert(Nh, Granule.Size4K, 0x1000, Leaf(0x8000_1000, 12, 3));
        tlb.Insert(Nh, Granule.Size4K, 0x4020_0000, Leaf(0x9020_0000, 21, 2));
        tlb.Insert(Nh, Granule.Size4K, 0x8000_0000, Leaf(0x1_0000_0000, 30, 1));

        Assert.True(tlb.TryLookup(Nh, 0x1234, out var a));
        Assert.Equal(0x8000_1234UL, a.OutputAddress);
        Assert.True(tlb.TryLookup(Nh, 0x403F_FFFF, out var b));
        Assert.Equal((0x903F_FFFFUL, 21, 2), (b.OutputAddress, b.BlockShift, b.Level));
        Assert.True(tlb.TryLookup(Nh, 0xBFFF_0000, out var c));
        Assert.Equal(0x1_3FFF_0000UL, c.OutputAddress);
        Assert.False(tlb.TryLookup(Nh, 0x2000, out _));
        Assert.Equal(new TlbStatistics(3, 1, 3, 0, 0), tlb.Statistics);
    }

    [Fact]
    public void Tags_separate_ASID_VMID_regime_and_stages_and_global_entries_match_any_ASID()
    {
        var tlb = new Tlb();
        tlb.Insert(Nh, Granule.Size4K, 0x1000, Leaf(0xA000, 12, 3, global: false));
        tlb.Insert(Nh, Granule.Size4K, 0x2000, Leaf(0xB000, 12, 3, global: true));

        Assert.False(tlb.TryLookup(Nh with { Asid = 10 }, 0x1000, out _));
        Assert.True(tlb.TryLookup(Nh with { Asid = 10 }, 0x2000, out _));
        Assert.False(tlb.TryLookup(Nh with { Vmid = 6 }, 0x2000, out _));
        Assert.False(tlb.TryLookup(Nh with { Stages = TranslationStages.Nested }, 0x1000, out _));
        Assert.False(tlb.TryLookup(Nh with { Regime = TranslationRegime.El2E2h }, 0x1000, out _));
        Assert.False(tlb.TryLookup(TranslationContext.Stage2Only(5), 0x1000, out _));

        // Stage-2-only and EL2 entries have no ASID: any ASID in the lookup context matches.
        tlb.Insert(TranslationContext.Stage2Only(5), Granule.Size4K, 0x1000, Leaf(0xC000, 12, 3, global: false));
        Assert.True(tlb.TryLookup(TranslationContext.Stage2Only(5) with { Asid = 77 }, 0x1000, out var s2));
        Assert.True(s2.Global);
        var el2 = new TranslationContext(TranslationRegime.El2, TranslationStages.Stage1, 3, 4);
        tlb.Insert(el2, Granule.Size4K, 0x1000, Leaf(0xD000, 12, 3, global: false));
        Assert.True(tlb.TryLookup(el2 with { Vmid = 0, Asid = 0 }, 0x1000, out var e));
        Assert.Equal(0xD000UL, e.OutputAddress);
    }

    [Fact]
    public void Lru_replaces_the_least_recently_used_way()
    {
        var tlb = new Tlb(new TlbOptions { Capacity = 4, Ways = 4 });
        for (ulong i = 0; i < 4; i++)
        {
            tlb.Insert(Nh, Granule.Size4K, i << 12, Leaf(0x10_0000 + (i << 12), 12, 3));
        }

        Assert.True(tlb.TryLookup(Nh, 0x0000, out _));
        tlb.Insert(Nh, Granule.Size4K, 0x9000, Leaf(0x20_0000, 12, 3));

        Assert.True(tlb.TryLookup(Nh, 0x0000, out _));
        Assert.False(tlb.TryLookup(Nh, 0x1000, out _));
        Assert.Equal(4, tlb.Count);
        Assert.Equal(1, tlb.Statistics.Evictions);
    }

    [Fact]
    public void Random_replacement_keeps_the_set_full()
    {
        var tlb = new Tlb(new TlbOptions { Capacity = 16, Ways = 2, Replacement = TlbReplacement.Random });
        for (ulong i = 0; i < 200; i++)
        {
            tlb.Insert(Nh, Granule.Size4K, i << 12, Leaf(i << 12, 12, 3));
            Assert.True(tlb.TryLookup(Nh, i << 12, out _));
        }

        Assert.True(tlb.Count <= 16);
        Assert.Equal(200 - tlb.Count, tlb.Statistics.Evictions);
        Assert.Equal(tlb.Count, tlb.Snapshot().Count);
    }

    [Fact]
    public void Reinserting_the_same_block_replaces_it()
    {
        var tlb = new Tlb();
        tlb.Insert(Nh, Granule.Size4K, 0x1000, Leaf(0xA000, 12, 3));
        tlb.Insert(Nh, Granule.Size4K, 0x1800, Leaf(0xB000, 12, 3));
        Assert.Equal(1, tlb.Count);
        Assert.True(tlb.TryLookup(Nh, 0x1010, out var r));
        Assert.Equal(0xB010UL, r.OutputAddress);
    }

    [Fact]
    public void NH_ALL_keeps_stage2_only_entries_and_S2_IPA_keeps_nested_entries()
    {
        var tlb = new Tlb();
        var nested = TranslationContext.NestedNh(5, 9);
        var s2 = TranslationContext.Stage2Only(5);
        tlb.Insert(Nh, Granule.Size4K, 0x1000, Leaf(0xA000, 12, 3));
        tlb.Insert(nested, Granule.Size4K, 0x1000, Leaf(0xB000, 12, 3));
        tlb.Insert(s2, Granule.Size4K, 0x1000, Leaf(0xC000, 12, 3));

        Assert.Equal(1, tlb.Invalidate(TlbInvalidation.FromCommand(Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, 5, 0, 0x1000, leaf: true))));
        Assert.True(tlb.TryLookup(nested, 0x1000, out _));
        tlb.Insert(s2, Granule.Size4K, 0x1000, Leaf(0xC000, 12, 3));

        Assert.Equal(2, tlb.Invalidate(TlbInvalidation.FromCommand(Command.TlbiNhAll(5))));
        Assert.True(tlb.TryLookup(s2, 0x1000, out _));
        Assert.Equal(1, tlb.Invalidate(TlbInvalidation.FromCommand(Command.TlbiS12Vmall(5))));
        Assert.Equal(0, tlb.Count);
        Assert.Equal(4, tlb.Statistics.Invalidated);
    }

    [Fact]
    public void NH_ASID_keeps_global_entries_and_NH_VA_removes_them()
    {
        var tlb = new Tlb();
        tlb.Insert(Nh, Granule.Size4K, 0x1000, Leaf(0xA000, 12, 3, global: true));
        tlb.Insert(Nh, Granule.Size4K, 0x2000, Leaf(0xB000, 12, 3, global: false));

        Assert.Equal(1, tlb.Invalidate(TlbInvalidation.FromCommand(Command.TlbiNhAsid(5, 9))));
        Assert.True(tlb.TryLookup(Nh, 0x1000, out _));
        Assert.Equal(1, tlb.Invalidate(TlbInvalidation.FromCommand(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 5, 1, 0x1FFF, leaf: true))));
        Assert.Equal(0, tlb.Count);
    }

    [Fact]
    public void EL2_VA_follows_E2H()
    {
        var tlb = new Tlb();
        var el2 = new TranslationContext(TranslationRegime.El2, TranslationStages.Stage1, 0, 0);
        var e2h = new TranslationContext(TranslationRegime.El2E2h, TranslationStages.Stage1, 0, 3);
        tlb.Insert(el2, Granule.Size4K, 0x1000, Leaf(0xA000, 12, 3));
        tlb.Insert(e2h, Granule.Size4K, 0x1000, Leaf(0xB000, 12, 3, global: false));
        var cmd = Command.TlbiByAddress(Opcode.CMD_TLBI_EL2_VA, 0, 3, 0x1000, leaf: true);

        Assert.Equal(1, tlb.Invalidate(TlbInvalidation.FromCommand(cmd, e2h: true)));
        Assert.True(tlb.TryLookup(el2, 0x1000, out _));
        Assert.Equal(1, tlb.Invalidate(TlbInvalidation.FromCommand(cmd, e2h: false)));
        Assert.Equal(0, tlb.Count);
    }

    [Fact]
    public void Range_TTL_and_leaf_rules()
    {
        var tlb = new Tlb();
        tlb.Insert(Nh, Granule.Size4K, 0x20_0000, Leaf(0x4000_0000, 21, 2));
        tlb.Insert(Nh, Granule.Size4K, 0x40_0000, Leaf(0x5000_0000, 12, 3));
        tlb.Insert(Nh, Granule.Size16K, 0x40_4000, Leaf(0x6000_0000, 14, 3));
        tlb.WalkCache.Insert(Nh, Granule.Size4K, 0x40_0000, 2, 0x1234_0000, TableAttributes.None);
        tlb.WalkCache.Insert(Nh, Granule.Size4K, 0x40_0000, 1, 0x1235_0000, TableAttributes.None);

        // 4K granule, TTL 3, range 0x20_0000..0x60_0000, leaf: only the level-3 4K page.
        var leaf = Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 5, 9, 0x20_0000, leaf: true, tg: 1, ttl: 3, scale: 10, num: 1);
        Assert.Equal(1, tlb.Invalidate(TlbInvalidation.FromCommand(leaf)));
        Assert.Equal(2, tlb.WalkCache.Count);

        // Leaf = 0, TTL 2: the level-2 block and the table entries above level 2 (level 1), not the level-2 table.
        var walk = Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 5, 9, 0x20_0000, leaf: false, tg: 1, ttl: 2, scale: 10, num: 1);
        Assert.Equal(2, tlb.Invalidate(TlbInvalidation.FromCommand(walk)));
        Assert.Equal(2, Assert.Single(tlb.WalkCache.Snapshot()).Level);
        Assert.True(tlb.TryLookup(Nh, 0x40_4000, out _)); // 16K entry: other granule

        Assert.False(TlbInvalidation.TryFromCommand(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 5, 9, 0, leaf: true, tg: 1), out _));
        Assert.False(TlbInvalidation.TryFromCommand(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 5, 9, 0, leaf: true, tg: 2, ttl: 1), out _));
        Assert.True(TlbInvalidation.TryFromCommand(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 5, 9, 0, leaf: true, tg: 3, ttl: 1), out _));
        Assert.False(TlbInvalidation.TryFromCommand(Command.CfgiAll(), out _));
    }

    [Fact]
    public void Range_end_saturates_at_the_top_of_the_address_space()
    {
        var inv = TlbInvalidation.FromCommand(
            Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 0, 0xFFFF_FFFF_FFFF_0000, leaf: true, tg: 3, scale: 31, num: 31));
        Assert.Equal(ulong.MaxValue, inv.Last);
    }

    [Fact]
    public void Lookups_do_not_allocate()
    {
        var tlb = new Tlb(new TlbOptions { Capacity = 2048, Ways = 4 });
        for (ulong i = 0; i < 512; i++)
        {
            tlb.Insert(Nh, Granule.Size4K, i << 12, Leaf(0x8000_0000 + (i << 12), 12, 3));
        }

        tlb.Insert(Nh, Granule.Size4K, 0x4000_0000, Leaf(0x1_0000_0000, 21, 2));
        const int n = 2_000_000;
        Assert.Equal(n, LookupLoop(tlb, n)); // warm-up (tiering)
        var before = GC.GetAllocatedBytesForCurrentThread();
        var hits = LookupLoop(tlb, n);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Speed is measured by the benchmark project (TranslationBenchmarks), not asserted here.
        Assert.Equal(n, hits);
        Assert.Equal(0, allocated);
    }

    private static int LookupLoop(Tlb tlb, int n)
    {
        var hits = 0;
        for (var i = 0; i < n; i++)
        {
            if (tlb.TryLookup(Nh, (ulong)(i & 511) << 12, out var r) && r.Ok)
            {
                hits++;
            }
        }

        return hits;
    }

    internal static WalkResult Leaf(ulong output, int shift, int level, bool global = false) =>
        WalkResult.Translated(output, shift, level, Permissions.All, global);
}
