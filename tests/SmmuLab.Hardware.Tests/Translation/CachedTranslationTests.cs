using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Translation;

public sealed class CachedTranslationTests
{
    [Fact]
    public void Miss_walks_and_fills_then_hits_and_a_forgotten_TLBI_leaves_the_stale_entry()
    {
        var memory = new SparsePhysicalMemory();
        var b = new PageTableBuilder(memory, Granule.Size4K, 48, 0, 0x1000_0000);
        b.Map(0x1000, 0xA000, 3, PageTableBuilder.LeafS1);
        var tlb = new Tlb();
        var walker = new TranslationWalker(memory, tlb.WalkCache);
        var ctx = TranslationContext.Stage1Nh(1, 2);
        WalkParameters? s1 = b.Parameters();

        var first = tlb.Translate(walker, ctx, s1, null, 0x1010, AccessKind.Read, out var hit1);
        var second = tlb.Translate(walker, ctx, s1, null, 0x1020, AccessKind.Read, out var hit2);
        Assert.True(first.Ok && second.Ok && !hit1 && hit2);
        Assert.Equal(0xA020UL, second.OutputAddress);

        // Software unmaps without invalidating: the TLB still translates (as hardware would).
        b.WriteLeaf(0x1000, 3, 0);
        Assert.True(tlb.Translate(walker, ctx, s1, null, 0x1000, AccessKind.Read, out _).Ok);
        tlb.Invalidate(TlbInvalidation.FromCommand(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 1, 2, 0x1000, leaf: true)));
        var after = tlb.Translate(walker, ctx, s1, null, 0x1000, AccessKind.Read, out var hit3);
        Assert.False(hit3);
        Assert.Equal(EventId.F_TRANSLATION, after.Fault);
    }

    [Fact]
    public void Permission_denied_by_a_cached_entry_rewalks_for_the_precise_fault()
    {
        var memory = new SparsePhysicalMemory();
        var b = new PageTableBuilder(memory, Granule.Size4K, 40, 1, 0x1000_0000);
        b.Map(0x1000, 0xA000, 3, Descriptor.AccessFlag | Descriptor.S2ApRead);
        var tlb = new Tlb();
        var walker = new TranslationWalker(memory, tlb.WalkCache);
        var ctx = TranslationContext.Stage2Only(3);

        Assert.True(tlb.Translate(walker, ctx, null, b.Parameters(), 0x1000, AccessKind.Read, out _).Ok);
        var w = tlb.Translate(walker, ctx, null, b.Parameters(), 0x1008, AccessKind.Write, out var hit);

        Assert.False(hit);
        Assert.Equal((EventId.F_PERMISSION, true, FaultClass.IN, 0x1008UL), (w.Fault, w.FaultIsStage2, w.FaultClass, w.FaultIpa));
    }

    [Fact]
    public void Walks_and_cached_translation_do_not_allocate()
    {
        var memory = new SparsePhysicalMemory();
        var s2 = new PageTableBuilder(memory, Granule.Size4K, 40, 1, 0x2000_0000);
        var s1 = new PageTableBuilder(memory, Granule.Size16K, 48, 0, 0x1000_0000);
        for (ulong a = 0x1000_0000; a < 0x1010_0000; a += 0x1000)
        {
            s2.Map(a, a, 3, PageTableBuilder.LeafS2);
        }

        s1.Map(0x4000, 0x1000_0000, 3, PageTableBuilder.LeafS1);
        var tlb = new Tlb();
        var walker = new TranslationWalker(memory, tlb.WalkCache);
        var ctx = TranslationContext.NestedNh(1, 1);
        WalkParameters? p1 = s1.Parameters();
        WalkParameters? p2 = s2.Parameters();
        var inv = TlbInvalidation.FromCommand(Command.TlbiNsnhAll());

        long Run()
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 200; i++)
            {
                Assert.True(walker.WalkStage1(p1.Value, 0x4000, AccessKind.Read, p2).Ok);
                Assert.True(tlb.Translate(walker, ctx, p1, p2, 0x4008, AccessKind.Read, out _).Ok);
                tlb.Invalidate(inv);
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Run();
        Assert.Equal(0, Run());
    }
}
