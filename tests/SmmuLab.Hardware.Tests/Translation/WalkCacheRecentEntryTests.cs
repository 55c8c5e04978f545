using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Translation;

/// <summary>
/// The walk cache answers from the entry it used last when that entry is a level-2 table covering
/// the address; the answer must be exactly what a scan of every entry gives.
/// </summary>
public sealed class WalkCacheRecentEntryTests
{
    private static readonly TranslationContext Asid1 = TranslationContext.Stage1Nh(0, 1);
    private static readonly TranslationContext Asid2 = TranslationContext.Stage1Nh(0, 2);

    [Fact]
    public void A_recent_level_one_entry_does_not_hide_a_deeper_one()
    {
        var cache = new WalkCache(8);
        cache.Insert(Asid1, Granule.Size4K, 0x4000_0000, 1, 0x1000, TableAttributes.None);
        Assert.True(cache.TryFind(Asid1, Granule.Size4K, 0x4000_1000, 0, out var level, out _, out _));
        Assert.Equal(1, level);

        cache.Insert(Asid1, Granule.Size4K, 0x4000_0000, 2, 0x2000, TableAttributes.None);
        cache.Insert(Asid2, Granule.Size4K, 0x4000_0000, 1, 0x3000, TableAttributes.None); // now the recent one
        Assert.True(cache.TryFind(Asid1, Granule.Size4K, 0x4000_1000, 0, out level, out var next, out _));
        Assert.Equal((2, 0x2000UL), (level, next));
    }

    [Fact]
    public void The_recent_entry_answers_only_for_its_own_tag_range_and_start_level()
    {
        var cache = new WalkCache(8);
        cache.Insert(Asid1, Granule.Size4K, 0x4000_0000, 2, 0x2000, TableAttributes.None);
        Assert.True(cache.TryFind(Asid1, Granule.Size4K, 0x4000_0000, 0, out _, out _, out _));

        // Another ASID, the next 2 MiB, another granule: none may use it.
        Assert.False(cache.TryFind(Asid2, Granule.Size4K, 0x4000_0000, 0, out _, out _, out _));
        Assert.False(cache.TryFind(Asid1, Granule.Size4K, 0x4020_0000, 0, out _, out _, out _));
        Assert.False(cache.TryFind(Asid1, Granule.Size16K, 0x4000_0000, 0, out _, out _, out _));
        Assert.Equal((1L, 3L), (cache.Hits, cache.Misses));
    }

    [Fact]
    public void An_invalidated_recent_entry_is_not_found_again()
    {
        var cache = new WalkCache(8);
        cache.Insert(Asid1, Granule.Size4K, 0x4000_0000, 1, 0x1000, TableAttributes.None);
        cache.Insert(Asid1, Granule.Size4K, 0x4000_0000, 2, 0x2000, TableAttributes.None);
        Assert.True(cache.TryFind(Asid1, Granule.Size4K, 0x4000_0000, 0, out var level, out _, out _));
        Assert.Equal(2, level);

        // A non-leaf TLBI of the address removes the table entries covering it, the recent one too.
        var tlbi = TlbInvalidation.FromCommand(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 1, 0x4000_0000, leaf: false));
        Assert.Equal(2, cache.Invalidate(tlbi));
        Assert.False(cache.TryFind(Asid1, Granule.Size4K, 0x4000_0000, 0, out _, out _, out _));
    }

    [Fact]
    public void Answers_from_the_recent_entry_keep_it_most_recently_used()
    {
        // Two slots: the level-2 entry, answered from the recent path, must survive the next
        // insertion; the older level-1 entry is the one evicted.
        var cache = new WalkCache(2);
        cache.Insert(Asid1, Granule.Size4K, 0x4000_0000, 2, 0x2000, TableAttributes.None);
        cache.Insert(Asid2, Granule.Size4K, 0x8000_0000, 1, 0x3000, TableAttributes.None);
        Assert.True(cache.TryFind(Asid1, Granule.Size4K, 0x4000_0000, 0, out _, out _, out _));
        cache.Insert(Asid2, Granule.Size4K, 0xC000_0000, 1, 0x4000, TableAttributes.None);

        Assert.True(cache.TryFind(Asid1, Granule.Size4K, 0x4000_0000, 0, out var level, out _, out _));
        Assert.Equal(2, level);
        Assert.False(cache.TryFind(Asid2, Granule.Size4K, 0x8000_0000, 0, out _, out _, out _));
    }
}
