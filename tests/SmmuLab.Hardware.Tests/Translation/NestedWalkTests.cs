using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Translation;

/// <summary>
/// Nested walks: stage-1 tables live at IPAs 0x1000_0000.. which stage 2 maps to PAs
/// 0x9000_0000.. (offset 0x8000_0000); data IPAs 0x4000_0000.. map to PAs 0xC000_0000...
/// </summary>
public sealed class NestedWalkTests
{
    private const ulong TableIpa = 0x1000_0000;
    private const ulong Offset = 0x8000_0000;

    private readonly SparsePhysicalMemory memory = new();
    private readonly PageTableBuilder s1;
    private readonly PageTableBuilder s2;

    public NestedWalkTests()
    {
        s2 = new PageTableBuilder(memory, Granule.Size4K, 40, 1, 0x2000_0000);
        s1 = new PageTableBuilder(memory, Granule.Size4K, 48, 0, TableIpa, writeOffset: Offset);
        for (ulong ipa = TableIpa; ipa < TableIpa + 0x20_0000; ipa += 0x1000)
        {
            s2.Map(ipa, ipa + Offset, 3, PageTableBuilder.LeafS2);
        }
    }

    [Fact]
    public void Nested_translation_combines_both_stages()
    {
        s1.Map(0x7000_0000_0000, 0x4000_0000, 2, PageTableBuilder.LeafS1 | Descriptor.NotGlobal); // 2M block at stage 1
        s2.Map(0x4001_0000, 0xC001_0000, 3, Descriptor.AccessFlag | Descriptor.S2ApRead); // 4K read-only page at stage 2
        var w = new TranslationWalker(memory);

        var r = w.WalkStage1(s1.Parameters(), 0x7000_0001_0123, AccessKind.Read, s2.Parameters());

        Assert.True(r.Ok, r.ToString());
        Assert.Equal(0xC001_0123UL, r.OutputAddress);
        Assert.Equal(12, r.BlockShift);
        Assert.Equal(2, r.Level);
        Assert.False(r.Global);
        Assert.Equal(Permissions.ReadPrivileged | Permissions.ReadUnprivileged | Permissions.ExecuteUnprivileged, r.Permissions);

        // 3 stage-1 descriptors, each through a 3-level stage-2 walk, plus the final IPA's 3 levels.
        Assert.Equal(3 + (3 * 3) + 3, w.LastWalkSteps);
    }

    [Fact]
    public void Stage2_fault_on_a_stage1_table_fetch_is_class_TT_with_the_descriptor_IPA()
    {
        s1.Map(0x1000, 0x4000_0000, 3, PageTableBuilder.LeafS1);
        var level3Descriptor = s1.DescriptorAddress(0x1000, 3);
        s2.WriteLeaf(level3Descriptor & ~0xFFFUL, 3, 0); // unmap the IPA page of the level-3 table

        var r = new TranslationWalker(memory).WalkStage1(s1.Parameters(), 0x1000, AccessKind.Read, s2.Parameters());

        Assert.False(r.Ok);
        Assert.Equal(EventId.F_TRANSLATION, r.Fault);
        Assert.True(r.FaultIsStage2);
        Assert.Equal(FaultClass.TT, r.FaultClass);
        Assert.Equal(level3Descriptor, r.FaultIpa);
    }

    [Fact]
    public void Stage2_permission_fault_on_a_table_fetch_is_class_TT()
    {
        s1.Map(0x1000, 0x4000_0000, 3, PageTableBuilder.LeafS1);
        var root = s1.Root;
        s2.Map(root, root + Offset, 3, Descriptor.AccessFlag | Descriptor.S2ApWrite); // table page not readable

        var r = new TranslationWalker(memory).WalkStage1(s1.Parameters(), 0x1000, AccessKind.Read, s2.Parameters());

        Assert.Equal((EventId.F_PERMISSION, true, FaultClass.TT, root), (r.Fault, r.FaultIsStage2, r.FaultClass, r.FaultIpa));
    }

    [Fact]
    public void Stage2_fault_on_the_final_IPA_is_class_IN_with_the_IPA()
    {
        s1.Map(0x1000, 0x4000_0000, 3, PageTableBuilder.LeafS1);

        var r = new TranslationWalker(memory).WalkStage1(s1.Parameters(), 0x1234, AccessKind.Write, s2.Parameters());

        Assert.Equal((EventId.F_TRANSLATION, true, FaultClass.IN, 0x4000_0234UL), (r.Fault, r.FaultIsStage2, r.FaultClass, r.FaultIpa));
    }

    [Fact]
    public void Stage1_faults_are_not_stage2_and_stage1_permission_comes_first()
    {
        s1.Map(0x1000, 0x4000_0000, 3, PageTableBuilder.LeafS1 | Descriptor.ApReadOnly);
        var w = new TranslationWalker(memory);

        var perm = w.WalkStage1(s1.Parameters(), 0x1000, AccessKind.Write, s2.Parameters());
        Assert.Equal((EventId.F_PERMISSION, false, FaultClass.IN), (perm.Fault, perm.FaultIsStage2, perm.FaultClass));

        var unmapped = w.WalkStage1(s1.Parameters(), 0x9000, AccessKind.Read, s2.Parameters());
        Assert.Equal((EventId.F_TRANSLATION, false, FaultClass.IN), (unmapped.Fault, unmapped.FaultIsStage2, unmapped.FaultClass));
    }

    [Fact]
    public void Stage2_walk_abort_reports_the_stage2_descriptor_PA()
    {
        var mem = new SparsePhysicalMemory([(0UL, 0xF000_0000UL)]);
        var b = new PageTableBuilder(mem, Granule.Size4K, 40, 1, 0x2000_0000);
        mem.Write64(b.DescriptorAddress(0x4000_0000, 1), 0xF100_0000UL | Descriptor.TypeTable);

        var r = new TranslationWalker(mem).WalkStage2(b.Parameters(), 0x4000_0000, AccessKind.Read, FaultClass.IN);

        Assert.Equal((EventId.F_WALK_EABT, true, FaultClass.IN, 0xF100_0000UL), (r.Fault, r.FaultIsStage2, r.FaultClass, r.FetchAddress));
    }

    [Fact]
    public void Walk_cache_skips_upper_levels_and_gives_the_same_result()
    {
        var tlb = new Tlb();
        var w = new TranslationWalker(memory, tlb.WalkCache);
        var ctx = TranslationContext.NestedNh(7, 3);
        s1.Map(0x7000_0000_1000, 0x4000_0000, 3, PageTableBuilder.LeafS1, tableBits: 1UL << 62);
        s1.Map(0x7000_0000_2000, 0x4000_1000, 3, PageTableBuilder.LeafS1);
        s2.Map(0x4000_0000, 0xC000_0000, 3, PageTableBuilder.LeafS2);
        s2.Map(0x4000_1000, 0xC000_1000, 3, PageTableBuilder.LeafS2);

        var cold = w.WalkStage1(s1.Parameters(), 0x7000_0000_1008, AccessKind.Read, s2.Parameters(), ctx);
        var coldSteps = w.LastWalkSteps;
        var warm = w.WalkStage1(s1.Parameters(), 0x7000_0000_2008, AccessKind.Read, s2.Parameters(), ctx);
        var warmSteps = w.LastWalkSteps;
        var plain = new TranslationWalker(memory).WalkStage1(s1.Parameters(), 0x7000_0000_2008, AccessKind.Read, s2.Parameters());

        Assert.True(cold.Ok && warm.Ok);
        Assert.Equal(plain, warm);
        // APTable[1] (read-only below) came from the cached level-0..2 tables; no EL0 write, so no implied PXN.
        Assert.Equal(Permissions.ReadPrivileged | Permissions.ReadUnprivileged | Permissions.ExecutePrivileged | Permissions.ExecuteUnprivileged,
            warm.Permissions);
        Assert.True(warmSteps < coldSteps, $"{warmSteps} vs {coldSteps}");
        // The level-3 table IPA (stage 2 resumes at level 3), the stage-1 level-3 descriptor, the final IPA (level 3).
        Assert.Equal(3, warmSteps);
        Assert.Contains(tlb.WalkCache.Snapshot(), e => e.Context.Stages == TranslationStages.Stage2);
        Assert.Contains(tlb.WalkCache.Snapshot(), e => e.Context == ctx && e.Level == 2);
    }
}
