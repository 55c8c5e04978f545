using SmmuLab.Architecture.PageTables;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Translation;

/// <summary>The TLB's lock-free lookup: it answers what the locked lookup answers, and misses whenever the set may be changing.</summary>
public sealed class TlbConcurrentLookupTests
{
    private static readonly TranslationContext Nh = TranslationContext.Stage1Nh(5, 9).Normalized;

    [Fact]
    public void A_hit_is_the_locked_lookups_answer_for_pages_and_blocks_and_it_counts_nothing()
    {
        var tlb = new Tlb(new TlbOptions { Capacity = 64, Ways = 4 });
        tlb.Insert(Nh, Granule.Size4K, 0x1000, TlbTests.Leaf(0x8000_1000, 12, 3));
        tlb.Insert(Nh, Granule.Size4K, 0x4020_0000, TlbTests.Leaf(0x9020_0000, 21, 2, global: true));
        var before = tlb.Statistics;

        foreach (var address in new ulong[] { 0x1234, 0x4020_0000 + 0x1_2345 })
        {
            Assert.True(tlb.TryLookupConcurrent(Nh, address, out var concurrent));
            Assert.True(tlb.TryLookup(Nh, address, out var locked));
            Assert.Equal(locked, concurrent);
        }

        Assert.False(tlb.TryLookupConcurrent(Nh, 0x2000, out _));
        Assert.False(tlb.TryLookupConcurrent(TranslationContext.Stage1Nh(5, 10).Normalized, 0x1234, out _)); // other ASID, not global
        Assert.True(tlb.TryLookupConcurrent(TranslationContext.Stage1Nh(5, 10).Normalized, 0x4020_0010, out _)); // global block
        Assert.Equal(before.Hits + 2, tlb.Statistics.Hits); // only the two locked lookups
        Assert.Equal(before.Misses, tlb.Statistics.Misses);
    }

    [Fact]
    public void While_the_set_is_being_rewritten_the_lock_free_lookup_misses_and_afterwards_hits_again()
    {
        var tlb = new Tlb(new TlbOptions { Capacity = 64, Ways = 4 });
        tlb.Insert(Nh, Granule.Size4K, 0x1000, TlbTests.Leaf(0x8000_1000, 12, 3));

        tlb.MarkSetRewriting(Nh, 0x1000, 12, rewriting: true);
        Assert.False(tlb.TryLookupConcurrent(Nh, 0x1000, out _));
        Assert.True(tlb.TryLookup(Nh, 0x1000, out _)); // the owner itself still sees it
        tlb.MarkSetRewriting(Nh, 0x1000, 12, rewriting: false);

        Assert.True(tlb.TryLookupConcurrent(Nh, 0x1000, out var hit));
        Assert.Equal(0x8000_1000UL, hit.OutputAddress);
    }

    [Fact]
    public void An_invalidated_or_cleared_entry_is_never_returned()
    {
        var tlb = new Tlb(new TlbOptions { Capacity = 64, Ways = 4 });
        tlb.Insert(Nh, Granule.Size4K, 0x1000, TlbTests.Leaf(0x8000_1000, 12, 3));
        tlb.Insert(Nh, Granule.Size4K, 0x3000, TlbTests.Leaf(0x8000_3000, 12, 3));
        Assert.True(TlbInvalidation.TryFromCommand(
            Architecture.Commands.Command.TlbiByAddress(Architecture.Commands.Opcode.CMD_TLBI_NH_VA, 5, 9, 0x1000, false), out var inv, false, false));
        tlb.Invalidate(inv);

        Assert.False(tlb.TryLookupConcurrent(Nh, 0x1000, out _));
        Assert.True(tlb.TryLookupConcurrent(Nh, 0x3000, out _));
        tlb.Clear();
        Assert.False(tlb.TryLookupConcurrent(Nh, 0x3000, out _));

        // The sets are usable again after a clear: a new entry is found without the lock.
        tlb.Insert(Nh, Granule.Size4K, 0x3000, TlbTests.Leaf(0x8000_7000, 12, 3));
        Assert.True(tlb.TryLookupConcurrent(Nh, 0x3000, out var hit));
        Assert.Equal(0x8000_7000UL, hit.OutputAddress);
    }
}
