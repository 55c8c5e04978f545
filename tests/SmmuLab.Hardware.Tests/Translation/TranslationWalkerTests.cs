using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Translation;

public sealed class TranslationWalkerTests
{
    private const AccessKind Read = AccessKind.Read;
    private const AccessKind Write = AccessKind.Write;
    private const AccessKind PrivRead = AccessKind.Read | AccessKind.Privileged;

    private readonly SparsePhysicalMemory memory = new();

    [Theory]
    [InlineData(Granule.Size4K, 48, 0)]
    [InlineData(Granule.Size4K, 39, 1)]
    [InlineData(Granule.Size4K, 30, 2)]
    [InlineData(Granule.Size16K, 48, 0)]
    [InlineData(Granule.Size16K, 47, 1)]
    [InlineData(Granule.Size64K, 48, 1)]
    [InlineData(Granule.Size64K, 42, 2)]
    public void Stage1_page_translates_in_every_granule(Granule g, int inputBits, int startLevel)
    {
        Assert.True(TranslationWalker.TryGetStage1StartLevel(g, inputBits, out var level));
        Assert.Equal(startLevel, level);
        var b = new PageTableBuilder(memory, g, inputBits, level, 0x1000_0000);
        var va = ((1UL << (inputBits - 1)) | 0x12345678UL) & ~(g.Bytes() - 1);
        b.Map(va, 0x8_0000_0000, 3, PageTableBuilder.LeafS1);
        var w = new TranslationWalker(memory);

        var r = w.WalkStage1(b.Parameters(), va + 0x18, Read);

        Assert.True(r.Ok, r.ToString());
        Assert.Equal(0x8_0000_0018UL, r.OutputAddress);
        Assert.Equal(g.Shift(), r.BlockShift);
        Assert.Equal(3, r.Level);
        Assert.Equal(4 - startLevel, w.LastWalkSteps);
    }

    [Theory]
    [InlineData(Granule.Size4K, 1, true)]
    [InlineData(Granule.Size4K, 2, true)]
    [InlineData(Granule.Size4K, 0, false)]
    [InlineData(Granule.Size16K, 2, true)]
    [InlineData(Granule.Size16K, 1, false)]
    [InlineData(Granule.Size64K, 2, true)]
    [InlineData(Granule.Size64K, 1, false)]
    public void Blocks_only_where_the_granule_allows_them(Granule g, int level, bool allowed)
    {
        var b = new PageTableBuilder(memory, g, 48, g.StartLevel(48), 0x1000_0000);
        var va = 0x7F12_3456_7000UL;
        var shift = g.LevelShift(level);
        var oa = 0x4000_0000_0000UL & ~((1UL << shift) - 1);
        b.Map(va, oa, level, PageTableBuilder.LeafS1);

        var r = new TranslationWalker(memory).WalkStage1(b.Parameters(), va, Read);

        if (allowed)
        {
            Assert.True(r.Ok, r.ToString());
            Assert.Equal(shift, r.BlockShift);
            Assert.Equal(level, r.Level);
            Assert.Equal(oa | (va & ((1UL << shift) - 1)), r.OutputAddress);
        }
        else
        {
            AssertFault(r, EventId.F_TRANSLATION, stage2: false, FaultClass.IN);
        }
    }

    [Fact]
    public void A_64K_level_1_block_needs_52_bit_output()
    {
        var b = new PageTableBuilder(memory, Granule.Size64K, 52, 1, 0x1000_0000);
        b.Map(0x40_0000_0000UL, 0x40_0000_0000UL, 1, PageTableBuilder.LeafS1);
        var w = new TranslationWalker(memory);

        AssertFault(w.WalkStage1(b.Parameters(48), 0x40_0000_1234UL, Read), EventId.F_TRANSLATION, false, FaultClass.IN);
        var r = w.WalkStage1(b.Parameters(52), 0x40_0000_1234UL, Read);
        Assert.True(r.Ok);
        Assert.Equal(42, r.BlockShift);
    }

    [Fact]
    public void Invalid_and_reserved_descriptors_are_translation_faults()
    {
        var b = new PageTableBuilder(memory, Granule.Size4K, 48, 0, 0x1000_0000);
        var w = new TranslationWalker(memory);
        b.WriteLeaf(0x1000, 3, 0x4000_0000 | Descriptor.AccessFlag | Descriptor.TypeBlock);
        b.WriteLeaf(0x2000, 3, 0x4000_0000 | Descriptor.AccessFlag | Descriptor.TypePage);

        AssertFault(w.WalkStage1(b.Parameters(), 0x1000, Read), EventId.F_TRANSLATION, false, FaultClass.IN);
        AssertFault(w.WalkStage1(b.Parameters(), 0x3000, Read), EventId.F_TRANSLATION, false, FaultClass.IN);
        AssertFault(w.WalkStage1(b.Parameters(), 0x10_0000_0000, Read), EventId.F_TRANSLATION, false, FaultClass.IN);
        Assert.True(w.WalkStage1(b.Parameters(), 0x2000, PrivRead).Ok);
    }

    [Fact]
    public void Input_range_is_checked_for_both_halves()
    {
        var b = new PageTableBuilder(memory, Granule.Size4K, 39, 1, 0x1000_0000);
        b.Map(0x7F_FFFF_F000, 0x5000, 3, PageTableBuilder.LeafS1);
        var w = new TranslationWalker(memory);

        AssertFault(w.WalkStage1(b.Parameters(), 1UL << 39, Read), EventId.F_TRANSLATION, false, FaultClass.IN);
        Assert.Equal(0, w.LastWalkSteps);
        Assert.True(w.WalkStage1(b.Parameters(), 0x7F_FFFF_F000, Read).Ok);

        var upper = b.Parameters() with { UpperRange = true };
        var r = w.WalkStage1(upper, 0xFFFF_FFFF_FFFF_F008, Read);
        Assert.True(r.Ok, r.ToString());
        Assert.Equal(0x5008UL, r.OutputAddress);
        AssertFault(w.WalkStage1(upper, 0x7F_FFFF_F000, Read), EventId.F_TRANSLATION, false, FaultClass.IN);
    }

    [Fact]
    public void Unbacked_descriptor_is_an_external_abort_with_the_descriptor_address()
    {
        var mem = new SparsePhysicalMemory([(0x1000_0000UL, 0x2000_0000UL)]);
        var b = new PageTableBuilder(mem, Granule.Size4K, 48, 0, 0x1000_0000);
        var l1 = b.DescriptorAddress(0x4000_0000, 1);
        mem.Write64(l1, 0x9000_0000UL | Descriptor.TypeTable);

        var r = new TranslationWalker(mem).WalkStage1(b.Parameters(), 0x4000_0000 + (5 << 21), Read);

        AssertFault(r, EventId.F_WALK_EABT, false, FaultClass.TT);
        Assert.Equal(0x9000_0000UL + (5 * 8), r.FetchAddress);
    }

    [Fact]
    public void Addresses_beyond_the_output_size_are_address_size_faults()
    {
        var b = new PageTableBuilder(memory, Granule.Size4K, 48, 0, 0x1000_0000);
        var w = new TranslationWalker(memory);
        b.Map(0x1000, 0x100_0000_0000, 3, PageTableBuilder.LeafS1);
        AssertFault(w.WalkStage1(b.Parameters(40), 0x1000, Read), EventId.F_ADDR_SIZE, false, FaultClass.IN);
        Assert.True(w.WalkStage1(b.Parameters(44), 0x1000, Read).Ok);

        // A table descriptor pointing above the output size faults at that level.
        b.WriteLeaf(0x80_0000_0000, 0, 0x200_0000_0000UL | Descriptor.TypeTable);
        AssertFault(w.WalkStage1(b.Parameters(40), 0x80_0000_0000, Read), EventId.F_ADDR_SIZE, false, FaultClass.IN);
        Assert.Equal(1, w.LastWalkSteps);

        // TTB itself.
        AssertFault(w.WalkStage1(b.Parameters(40) with { TableBase = 1UL << 41 }, 0x1000, Read), EventId.F_ADDR_SIZE, false, FaultClass.IN);
    }

    [Fact]
    public void Access_flag_fault_comes_before_permission_and_AFFD_disables_it()
    {
        var b = new PageTableBuilder(memory, Granule.Size4K, 48, 0, 0x1000_0000);
        b.Map(0x1000, 0x5000, 3, Descriptor.ApReadOnly);
        var w = new TranslationWalker(memory);

        AssertFault(w.WalkStage1(b.Parameters(), 0x1000, Write), EventId.F_ACCESS, false, FaultClass.IN);
        AssertFault(w.WalkStage1(b.Parameters(affd: true), 0x1000, Write | AccessKind.Privileged), EventId.F_PERMISSION, false, FaultClass.IN);
        Assert.True(w.WalkStage1(b.Parameters(affd: true), 0x1000, PrivRead).Ok);
    }

    [Theory]
    [InlineData(0UL, Permissions.ReadPrivileged | Permissions.WritePrivileged | Permissions.ExecutePrivileged | Permissions.ExecuteUnprivileged)]
    [InlineData(Descriptor.ApUnprivileged, Permissions.ReadPrivileged | Permissions.WritePrivileged | Permissions.ReadUnprivileged | Permissions.WriteUnprivileged | Permissions.ExecuteUnprivileged)]
    [InlineData(Descriptor.ApReadOnly, Permissions.ReadPrivileged | Permissions.ExecutePrivileged | Permissions.ExecuteUnprivileged)]
    [InlineData(Descriptor.ApReadOnly | Descriptor.ApUnprivileged, Permissions.ReadPrivileged | Permissions.ReadUnprivileged | Permissions.ExecutePrivileged | Permissions.ExecuteUnprivileged)]
    [InlineData(Descriptor.ApReadOnly | (1UL << 53), Permissions.ReadPrivileged | Permissions.ExecuteUnprivileged)]
    [InlineData(Descriptor.ApReadOnly | (1UL << 54), Permissions.ReadPrivileged | Permissions.ExecutePrivileged)]
    public void Stage1_AP_PXN_UXN(ulong bits, Permissions expected)
    {
        var b = new PageTableBuilder(memory, Granule.Size4K, 48, 0, 0x1000_0000);
        b.Map(0x1000, 0x5000, 3, Descriptor.AccessFlag | bits);

        var r = new TranslationWalker(memory).WalkStage1(b.Parameters(), 0x1000, PrivRead);

        Assert.True(r.Ok);
        Assert.Equal(expected, r.Permissions);
    }

    [Fact]
    public void Table_attributes_restrict_the_leaf_unless_hierarchical_permissions_are_disabled()
    {
        var b = new PageTableBuilder(memory, Granule.Size4K, 48, 0, 0x1000_0000);
        var tableBits = (1UL << 62) | (1UL << 61) | (1UL << 60) | (1UL << 59);
        b.Map(0x1000, 0x5000, 3, PageTableBuilder.LeafS1, tableBits);
        var w = new TranslationWalker(memory);

        var r = w.WalkStage1(b.Parameters(), 0x1000, PrivRead);
        Assert.True(r.Ok);
        Assert.Equal(Permissions.ReadPrivileged, r.Permissions);
        AssertFault(w.WalkStage1(b.Parameters(), 0x1000, Read), EventId.F_PERMISSION, false, FaultClass.IN);
        AssertFault(w.WalkStage1(b.Parameters(), 0x1000, Write | AccessKind.Privileged), EventId.F_PERMISSION, false, FaultClass.IN);

        var r2 = w.WalkStage1(b.Parameters(had: true), 0x1000, Write);
        Assert.True(r2.Ok);
        Assert.Equal(Permissions.All & ~Permissions.ExecutePrivileged, r2.Permissions); // EL0-writable implies PXN
    }

    [Theory]
    [InlineData(0UL, Permissions.ExecutePrivileged | Permissions.ExecuteUnprivileged)]
    [InlineData(1UL, Permissions.ExecuteUnprivileged)]
    [InlineData(2UL, Permissions.None)]
    [InlineData(3UL, Permissions.ExecutePrivileged)]
    public void Stage2_S2AP_and_XN(ulong xn, Permissions exec)
    {
        var b = new PageTableBuilder(memory, Granule.Size4K, 40, 1, 0x1000_0000);
        b.Map(0x1000, 0x5000, 3, Descriptor.AccessFlag | Descriptor.S2ApRead | (xn << 53));
        var w = new TranslationWalker(memory);

        var r = w.WalkStage2(b.Parameters(), 0x1234, Read, FaultClass.IN);
        Assert.True(r.Ok);
        Assert.True(r.Global);
        Assert.Equal(Permissions.ReadPrivileged | Permissions.ReadUnprivileged | exec, r.Permissions);
        var f = w.WalkStage2(b.Parameters(), 0x1234, Write, FaultClass.IN);
        AssertFault(f, EventId.F_PERMISSION, true, FaultClass.IN);
        Assert.Equal(0x1234UL, f.FaultIpa);
    }

    [Fact]
    public void Stage2_faults_carry_class_and_IPA()
    {
        var b = new PageTableBuilder(memory, Granule.Size4K, 40, 1, 0x1000_0000);
        var w = new TranslationWalker(memory);
        var f = w.WalkStage2(b.Parameters(), 0x12_3456_7000, Read, FaultClass.TT);
        AssertFault(f, EventId.F_TRANSLATION, true, FaultClass.TT);
        Assert.Equal(0x12_3456_7000UL, f.FaultIpa);

        var range = w.WalkStage2(b.Parameters(), 1UL << 40, Read, FaultClass.IN);
        AssertFault(range, EventId.F_TRANSLATION, true, FaultClass.IN);
        Assert.Equal(1UL << 40, range.FaultIpa);
    }

    [Theory]
    [InlineData(Granule.Size4K, 24, 1u, 1, 2)]
    [InlineData(Granule.Size16K, 16, 2u, 1, 2)]
    [InlineData(Granule.Size64K, 22, 1u, 2, 1)]
    public void Concatenated_stage2_tables_are_indexed_by_the_top_IPA_bits(Granule g, int s2t0sz, uint sl0, int level, int tables)
    {
        Assert.True(TranslationWalker.TryGetStage2StartLevel(g, s2t0sz, sl0, out var start, out var n));
        Assert.Equal(level, start);
        Assert.Equal(tables, n);
        var ias = 64 - s2t0sz;
        var b = new PageTableBuilder(memory, g, ias, start, 0x1000_0000);
        var ipa = ((1UL << (ias - 1)) | 0x5_4321_0000UL) & ~(g.Bytes() - 1) & ((1UL << ias) - 1);
        b.Map(ipa, 0x7700_0000, 3, PageTableBuilder.LeafS2);
        var descriptor = b.DescriptorAddress(ipa, start);
        var w = new TranslationWalker(memory);

        var r = w.WalkStage2(b.Parameters(), ipa + 8, Read, FaultClass.IN);

        Assert.True(r.Ok, r.ToString());
        Assert.Equal(0x7700_0008UL, r.OutputAddress);
        if (tables > 1)
        {
            // The start-level descriptor lives in the last concatenated table, not table 0.
            Assert.Equal(tables - 1, (int)((descriptor - b.Root) >> g.Shift()));
            AssertFault(w.WalkStage2(b.Parameters(), ipa & ~(1UL << (ias - 1)), Read, FaultClass.IN), EventId.F_TRANSLATION, true, FaultClass.IN);
        }
    }

    [Theory]
    [InlineData(Granule.Size4K, 32, 1u, true, 1, 1)]
    [InlineData(Granule.Size4K, 24, 1u, true, 1, 2)]
    [InlineData(Granule.Size4K, 22, 1u, true, 1, 8)]
    [InlineData(Granule.Size4K, 20, 2u, true, 0, 1)]
    [InlineData(Granule.Size4K, 16, 2u, true, 0, 1)]
    [InlineData(Granule.Size4K, 20, 1u, false, 1, 0)] // 44 bits from level 1 would need 32 tables
    [InlineData(Granule.Size4K, 16, 0u, false, 2, 0)]
    [InlineData(Granule.Size4K, 34, 2u, false, 0, 0)] // start level too deep for 30 bits... level 0 resolves nothing
    [InlineData(Granule.Size4K, 24, 3u, false, -1, 0)]
    [InlineData(Granule.Size16K, 28, 1u, true, 2, 1)]
    [InlineData(Granule.Size16K, 16, 2u, true, 1, 2)]
    [InlineData(Granule.Size16K, 20, 2u, true, 1, 1)]
    [InlineData(Granule.Size64K, 32, 1u, true, 2, 1)]
    [InlineData(Granule.Size64K, 12, 2u, true, 1, 1)]
    [InlineData(Granule.Size64K, 16, 0u, false, 3, 0)]
    public void Stage2_start_level_table(Granule g, int s2t0sz, uint sl0, bool ok, int level, int tables)
    {
        Assert.Equal(ok, TranslationWalker.TryGetStage2StartLevel(g, s2t0sz, sl0, out var start, out var n));
        Assert.Equal(level, start);
        Assert.Equal(tables, n);
    }

    private static void AssertFault(in WalkResult r, EventId id, bool stage2, FaultClass cls)
    {
        Assert.False(r.Ok, "expected a fault");
        Assert.Equal(id, r.Fault);
        Assert.Equal(stage2, r.FaultIsStage2);
        Assert.Equal(cls, r.FaultClass);
    }
}
