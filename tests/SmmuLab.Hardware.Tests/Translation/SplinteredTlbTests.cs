using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Translation;

/// <summary>
/// Nested TLB entries whose stage-1 block is larger than the cached (combined) entry: stage 2 maps the
/// block's IPA range with smaller pages, so the TLB holds the stage-1 block "splintered" into entries
/// of the stage-2 size. Arm ARM D8.17 (TLB maintenance): when a TLBI targets stage-1 entries and the
/// stage-1 information of a single block has been cached as several smaller entries, "all entries
/// containing that stage 1 information are invalidated, regardless of whether the entry would be used
/// to translate the address being invalidated". CMD_TLBI_NH_VA/NH_VAA have VA(L)E1/VAA(L)E1 scope
/// (IHI0070 4.4.2.3-4), so they follow that rule; CMD_TLBI_S2_IPA is not required to touch combined
/// entries (IHI0070 4.4.3.1) and the model keeps them (minimum scope).
/// </summary>
public sealed class SplinteredTlbTests
{
    private const ulong TableIpa = 0x1000_0000;
    private const ulong Offset = 0x8000_0000;
    private const ulong BlockVa = 0x7000_0020_0000;   // a 2 MiB stage-1 block (level 2) ...
    private const ulong BlockIpa = 0x4000_0000;       // ... to this IPA range, mapped by 4 KiB stage-2 pages
    private const ulong DataPa = 0xC000_0000;
    private const ushort Vmid = 5;
    private const ushort Asid = 9;

    private static readonly TranslationContext Nested = TranslationContext.NestedNh(Vmid, Asid);

    private readonly SparsePhysicalMemory memory = new();
    private readonly PageTableBuilder s1;
    private readonly PageTableBuilder s2;

    public SplinteredTlbTests()
    {
        s2 = new PageTableBuilder(memory, Granule.Size4K, 40, 1, 0x2000_0000);
        s1 = new PageTableBuilder(memory, Granule.Size4K, 48, 0, TableIpa, writeOffset: Offset);
        for (ulong ipa = TableIpa; ipa < TableIpa + 0x20_0000; ipa += 0x1000)
        {
            s2.Map(ipa, ipa + Offset, 3, PageTableBuilder.LeafS2);
        }
    }

    private static readonly Dictionary<string, Command> Removing = new()
    {
        { "NH_VA at the block base, Leaf = 1", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa, leaf: true) },
        { "NH_VA at the block base, Leaf = 0", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa, leaf: false) },
        { "NH_VA at the block's last byte", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa + 0x1F_F000, leaf: true) },
        { "NH_VAA at the block base", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VAA, Vmid, 0, BlockVa, leaf: true) },
        { "NH_VA TG = 4K, TTL = 2 (stage-1 level)", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa, leaf: true, tg: 1, ttl: 2) },

        // A range inside the block that does not contain the cached page at +0x1000.
        { "NH_VA range [base + 1M, + 8K)", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa + 0x10_0000, leaf: true, tg: 1, num: 1) },
        { "NH_VA range [base - 4K, + 8K)", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa - 0x1000, leaf: false, tg: 1, num: 1) },
    };

    private static readonly Dictionary<string, Command> Keeping = new()
    {
        { "NH_VA in the next 2M block", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa + 0x20_0000, leaf: true) },
        { "NH_VA range ending just below the block", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa - 0x2000, leaf: true, tg: 1, num: 1) },
        { "NH_VA other ASID (entry is non-global)", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, (ushort)(Asid + 1), BlockVa, leaf: true) },
        { "NH_VA other VMID", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, (ushort)(Vmid + 1), Asid, BlockVa, leaf: true) },

        // TTL names the stage-1 level (2): TTL = 3, the level of the stage-2 page, does not select the entry.
        { "NH_VA TG = 4K, TTL = 3 at the cached page", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa + 0x1000, leaf: true, tg: 1, ttl: 3) },
        { "NH_VA TG = 16K, TTL = 2", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa, leaf: true, tg: 2, ttl: 2) },

        // IHI0070 4.4.3.1: S2_IPA is not required to invalidate combined stage 1 + 2 entries.
        { "S2_IPA at the cached IPA page", Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, Vmid, 0, BlockIpa + 0x1000, leaf: true) },
    };

    public static TheoryData<string> Stage1InvalidationsOfTheBlock() => [.. Removing.Keys];

    public static TheoryData<string> InvalidationsThatMayKeepIt() => [.. Keeping.Keys];

    [Theory]
    [MemberData(nameof(Stage1InvalidationsOfTheBlock))]
    public void ArmARM_D8_17_stage1_TLBI_of_a_block_removes_its_splintered_nested_entries(string name)
    {
        var (tlb, walker) = CacheSplinteredBlock();

        Assert.True(tlb.Invalidate(TlbInvalidation.FromCommand(Removing[name])) >= 2, name);

        Assert.False(tlb.TryLookup(Nested, BlockVa + 0x1000, out _), name);
        Assert.False(tlb.TryLookup(Nested, BlockVa + 0x10_0000, out _), name);
        Assert.True(tlb.Translate(walker, Nested, s1.Parameters(), s2.Parameters(), BlockVa + 0x1000, AccessKind.Read, out var hit).Ok);
        Assert.False(hit, name);
    }

    [Theory]
    [MemberData(nameof(InvalidationsThatMayKeepIt))]
    public void IHI0070_4_4_splintered_nested_entries_outside_the_commands_scope_stay(string name)
    {
        var (tlb, _) = CacheSplinteredBlock();

        Assert.Equal(0, tlb.Invalidate(TlbInvalidation.FromCommand(Keeping[name])));

        Assert.True(tlb.TryLookup(Nested, BlockVa + 0x1000, out _), name);
        Assert.True(tlb.TryLookup(Nested, BlockVa + 0x10_0000, out _), name);
    }

    [Fact]
    public void ArmARM_D8_17_a_16K_stage1_page_splintered_by_4K_stage2_pages_goes_with_a_TLBI_at_its_base()
    {
        // Few enough splinters (4) that the targeted set probing, not a scan, handles the command.
        var s1Of16K = new PageTableBuilder(memory, Granule.Size16K, 48, 0, TableIpa + 0x10_0000, writeOffset: Offset);
        s1Of16K.Map(0x4000, BlockIpa, 3, PageTableBuilder.LeafS1 | Descriptor.NotGlobal);
        s2.Map(BlockIpa + 0x3000, DataPa + 0x3000, 3, PageTableBuilder.LeafS2);
        var tlb = new Tlb();
        var walker = new TranslationWalker(memory, tlb.WalkCache);

        Assert.True(tlb.Translate(walker, Nested, s1Of16K.Parameters(), s2.Parameters(), 0x7008, AccessKind.Read, out _).Ok);
        Assert.Equal(DataPa + 0x3008, Lookup(tlb, 0x7008));

        Assert.Equal(1, Invalidate(tlb, Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, 0x4000, leaf: true)));
        Assert.False(tlb.TryLookup(Nested, 0x7008, out _));
    }

    [Fact]
    public void ArmARM_D8_17_a_4K_stage1_page_over_a_2M_stage2_block_is_matched_by_its_stage1_page_and_level()
    {
        // The reverse case: the combined entry is the stage-1 page; TTL is the stage-1 level (3), not stage 2's (2).
        s1.Map(0x5000, BlockIpa + 0x7000, 3, PageTableBuilder.LeafS1 | Descriptor.NotGlobal);
        s2.Map(BlockIpa, DataPa, 2, PageTableBuilder.LeafS2);
        var tlb = new Tlb();
        var walker = new TranslationWalker(memory, tlb.WalkCache);
        Assert.True(tlb.Translate(walker, Nested, s1.Parameters(), s2.Parameters(), 0x5010, AccessKind.Read, out _).Ok);
        var entry = Assert.Single(tlb.Snapshot());
        Assert.Equal((0x5000UL, 12, 3), (entry.InputBase, entry.BlockShift, entry.Level));

        Assert.Equal(0, Invalidate(tlb, Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, 0x4000, leaf: true)));
        Assert.Equal(0, Invalidate(tlb, Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, 0x5000, leaf: true, tg: 1, ttl: 2)));
        Assert.Equal(0, Invalidate(tlb, Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, Vmid, 0, BlockIpa + 0x7000, leaf: true, tg: 1, ttl: 2)));
        Assert.Equal(1, Invalidate(tlb, Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, 0x5000, leaf: true, tg: 1, ttl: 3)));
        Assert.Equal(0, tlb.Count);
    }

    [Fact]
    public void Snapshot_reports_the_stage1_block_of_a_splintered_nested_entry()
    {
        var (tlb, _) = CacheSplinteredBlock();

        var entries = tlb.Snapshot().OrderBy(e => e.InputBase).ToList();

        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal((12, 21, 2, Granule.Size4K), (e.BlockShift, e.Stage1BlockShift, e.Level, e.Granule)));
        Assert.Equal(BlockVa + 0x1000, entries[0].InputBase);
        Assert.Equal(BlockVa, entries[0].Stage1InputBase);
    }

    /// <summary>Stage 1 maps <see cref="BlockVa"/> as a 2M block; stage 2 maps pages of it; two DMAs cache two 4K nested entries.</summary>
    private (Tlb Tlb, TranslationWalker Walker) CacheSplinteredBlock()
    {
        s1.Map(BlockVa, BlockIpa, 2, PageTableBuilder.LeafS1 | Descriptor.NotGlobal);
        s2.Map(BlockIpa + 0x1000, DataPa + 0x1000, 3, PageTableBuilder.LeafS2);
        s2.Map(BlockIpa + 0x10_0000, DataPa + 0x10_0000, 3, PageTableBuilder.LeafS2);
        var tlb = new Tlb();
        var walker = new TranslationWalker(memory, tlb.WalkCache);
        foreach (var va in new[] { BlockVa + 0x1000, BlockVa + 0x10_0000 })
        {
            var walk = tlb.Translate(walker, Nested, s1.Parameters(), s2.Parameters(), va + 8, AccessKind.Read, out var hit);
            Assert.True(walk.Ok, walk.ToString());
            Assert.False(hit);
            Assert.Equal((12, 2), (walk.BlockShift, walk.Level));
        }

        Assert.Equal(DataPa + 0x1008, Lookup(tlb, BlockVa + 0x1008));
        Assert.Equal(2, tlb.Count);
        return (tlb, walker);
    }

    private static ulong Lookup(Tlb tlb, ulong va) => tlb.TryLookup(Nested, va, out var r) ? r.OutputAddress : 0;

    private static int Invalidate(Tlb tlb, Command c) => tlb.Invalidate(TlbInvalidation.FromCommand(c));
}
