using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Invalidation;

namespace SmmuLab.Driver.Tests.Invalidation;

/// <summary>
/// The range TLBI split (Linux arm_smmu_cmdq_batch_add_range) and the range-fallback rule.
/// IHI0070 4.4.1.1: a range TLBI covers (NUM+1) * 2^SCALE pages of TG; without SMMU_IDR5.DS SCALE
/// is five bits [24:20] and bit 25 is RES0; NUM == SCALE == TTL == 0 is Reserved (CERROR_ILL).
/// </summary>
public class TlbiCommandsTests
{
    private const ushort Asid = 5;
    private const ulong Base = 0x1000_0000_0000; // 16 TiB
    private const ulong SixteenTiB = 1UL << 44;  // 2^32 pages of 4 KiB
    private const ulong Gib = 1UL << 30;

    private static readonly Command NhVa = Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, Asid, 0, leaf: true);
    private static readonly Command NhAsid = Command.TlbiNhAsid(0, Asid);

    [Fact]
    public void A_range_of_2_pow_32_pages_gets_scale_32_masked_to_five_bits_as_Linux_does_4_4_1_1()
    {
        // Linux: scale = __ffs(2^32) = 32, num = 1; FIELD_PREP(GENMASK(24, 20), 32) == 0.
        var commands = InvalidationCommands.Split(NhVa, leaf: true, Base, SixteenTiB, Gib, pageShift: 12).ToList();

        var c = Assert.Single(commands);
        Assert.Equal(Opcode.CMD_TLBI_NH_VA, c.Opcode);
        Assert.Equal(0UL, c.Get(CommandLayouts.Scale)); // bit 25 (SCALE[5], DS only) is never written
        Assert.Equal(0UL, c.Get(CommandLayouts.Num));
        Assert.Equal(1UL, c.Get(CommandLayouts.Ttl)); // the 1 GiB granule is a level-1 leaf of a 4 KiB table
        Assert.Equal(1UL, c.Get(CommandLayouts.Tg));
        Assert.Equal(1UL, c.Get(CommandLayouts.Leaf));
        Assert.Equal((ulong)Asid, c.Get(CommandLayouts.Asid));
        Assert.Equal(Base, CommandLayouts.Addr.GetAddress(c.Dw1));
        Assert.False(InvalidationCommands.Expressible(Base, SixteenTiB, 12, leaf: true));
    }

    [Fact]
    public void A_non_leaf_range_of_2_pow_32_pages_becomes_the_reserved_num_scale_TTL_zero_encoding_4_4_1_1()
    {
        var c = Assert.Single(InvalidationCommands.Split(NhVa, leaf: false, Base, SixteenTiB, 0x1000, pageShift: 12).ToList());

        Assert.Equal((0UL, 0UL, 0UL, 1UL), (c.Get(CommandLayouts.Num), c.Get(CommandLayouts.Scale), c.Get(CommandLayouts.Ttl), c.Get(CommandLayouts.Tg)));
    }

    [Fact]
    public void A_chunk_that_fits_scale_31_is_encoded_exactly_even_beyond_2_pow_32_pages_4_4_1_1()
    {
        // 3 * 2^31 pages: SCALE 31, NUM 2 covers them in one command.
        var size = 3UL << (31 + 12);
        var c = Assert.Single(InvalidationCommands.Split(NhVa, leaf: true, Base, size, 0x1000, pageShift: 12).ToList());

        Assert.Equal((2UL, 31UL, 3UL), (c.Get(CommandLayouts.Num), c.Get(CommandLayouts.Scale), c.Get(CommandLayouts.Ttl)));
        Assert.True(InvalidationCommands.Expressible(Base, size, 12, leaf: true));
    }

    [Fact]
    public void A_range_with_a_small_part_and_a_scale_32_part_masks_only_the_big_chunk()
    {
        // 2^32 + 1 pages: one page (SCALE 0, NUM 0), then the 2^32-page chunk whose SCALE 32 wraps to 0.
        var commands = InvalidationCommands.Split(NhVa, leaf: true, Base, SixteenTiB + 0x1000, 0x1000, pageShift: 12).ToList();

        Assert.Equal(2, commands.Count);
        Assert.Equal([(0UL, 0UL, Base), (0UL, 0UL, Base + 0x1000)],
            commands.Select(c => (c.Get(CommandLayouts.Num), c.Get(CommandLayouts.Scale), CommandLayouts.Addr.GetAddress(c.Dw1))));
    }

    [Fact]
    public void Below_2_pow_32_pages_every_range_is_expressible()
    {
        Assert.True(InvalidationCommands.Expressible(0, SixteenTiB - 0x1000, 12, leaf: true));
        Assert.True(InvalidationCommands.Expressible(0, SixteenTiB - 0x1000, 12, leaf: false));
        Assert.True(InvalidationCommands.Expressible(Base, 0x23000, 12, leaf: true));

        // The same page count in 64 KiB pages is 256 TiB.
        Assert.False(InvalidationCommands.Expressible(0, 1UL << 48, 16, leaf: true));
        Assert.True(InvalidationCommands.Expressible(0, SixteenTiB, 16, leaf: true));
    }

    [Fact]
    public void Without_fallback_the_masked_range_is_emitted_and_with_it_the_whole_ASID()
    {
        var linux = InvalidationCommands.Tlbis(NhVa, NhAsid, leaf: true, Base, SixteenTiB, Gib, 12, rangeInvalidation: true, rangeFallback: false).ToList();
        var fallback = InvalidationCommands.Tlbis(NhVa, NhAsid, leaf: true, Base, SixteenTiB, Gib, 12, rangeInvalidation: true, rangeFallback: true).ToList();

        Assert.Equal(InvalidationCommands.Split(NhVa, true, Base, SixteenTiB, Gib, 12).ToList(), linux);
        Assert.Equal([NhAsid], fallback);
    }

    [Fact]
    public void Fallback_leaves_expressible_ranges_split()
    {
        var size = 0x23000UL;
        var with = InvalidationCommands.Tlbis(NhVa, NhAsid, leaf: true, Base, size, 0x1000, 12, rangeInvalidation: true, rangeFallback: true).ToList();

        Assert.Equal(InvalidationCommands.Split(NhVa, true, Base, size, 0x1000, 12).ToList(), with);
        Assert.Equal([(2UL, 0UL), (0UL, 5UL)], with.Select(c => (c.Get(CommandLayouts.Num), c.Get(CommandLayouts.Scale))));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_size_of_all_ones_means_everything_with_or_without_fallback(bool fallback)
    {
        var commands = InvalidationCommands.Tlbis(NhVa, NhAsid, leaf: false, 0, ulong.MaxValue, 0x1000, 12, rangeInvalidation: true, fallback).ToList();

        Assert.Equal([NhAsid], commands);
    }

    [Fact]
    public void A_range_passing_the_top_of_the_address_space_gives_nothing_as_in_Linux_and_the_whole_ASID_with_fallback()
    {
        var iova = 0xFFFF_0000_0000_0000UL;
        var size = 1UL << 63;

        Assert.Empty(InvalidationCommands.Tlbis(NhVa, NhAsid, true, iova, size, 0x1000, 12, true, rangeFallback: false).ToList());
        Assert.Equal([NhAsid], InvalidationCommands.Tlbis(NhVa, NhAsid, true, iova, size, 0x1000, 12, true, rangeFallback: true).ToList());
    }

    [Fact]
    public void A_size_that_is_not_a_whole_number_of_pages_is_rounded_out_and_the_split_ends()
    {
        // Linux would step by 0 forever once its page count reached 0 short of the end.
        var c = Assert.Single(InvalidationCommands.Split(NhVa, leaf: true, 0x1000, 0x1800, 0x1000, pageShift: 12).ToList());

        Assert.Equal((0UL, 1UL), (c.Get(CommandLayouts.Num), c.Get(CommandLayouts.Scale))); // two pages, 0x1000..0x2fff
    }

    [Fact]
    public void Per_granule_commands_stop_at_the_top_of_the_address_space()
    {
        var commands = InvalidationCommands.Split(NhVa, leaf: true, 0xFFFF_FFFF_FFFF_E000, 0x1FFF, 0x1000, pageShift: 0).ToList();

        Assert.Equal([0xFFFF_FFFF_FFFF_E000UL, 0xFFFF_FFFF_FFFF_F000UL], commands.Select(c => CommandLayouts.Addr.GetAddress(c.Dw1)));
    }

    [Theory]
    [InlineData(0UL, 0xFFFF_FFFF_FFFF_F000UL, false)]
    [InlineData(0UL, 0xFFFF_FFFF_FFFF_FFFEUL, true)]
    [InlineData(0x1000UL, 0x0000_FFFF_FFFF_F000UL, true)]
    [InlineData(0x1000UL, 0x0000_FFFF_FFFF_F000UL, false)]
    public void Huge_ranges_split_without_overflow_and_never_set_scale_bit_5(ulong iova, ulong size, bool leaf)
    {
        var commands = InvalidationCommands.Split(NhVa, leaf, iova, size, 0x1000, pageShift: 12).ToList();

        Assert.InRange(commands.Count, 1, 20);
        Assert.All(commands, c => Assert.True(c.Get(CommandLayouts.Scale) <= CommandLayouts.TlbiRangeScaleMax));
        var addresses = commands.Select(c => CommandLayouts.Addr.GetAddress(c.Dw1)).ToList();
        Assert.Equal(addresses.Order(), addresses);
        Assert.Equal(iova, addresses[0]);
    }

    [Fact]
    public void Enumerating_the_commands_allocates_nothing()
    {
        var sum = 0UL;
        foreach (var c in InvalidationCommands.Tlbis(NhVa, NhAsid, true, Base, SixteenTiB + 0x23000, 0x1000, 12, true, rangeFallback: false))
        {
            sum += c.Dw1;
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var c in InvalidationCommands.Tlbis(NhVa, NhAsid, true, Base, SixteenTiB + 0x23000, 0x1000, 12, true, rangeFallback: false))
        {
            sum += c.Dw1;
        }

        foreach (var c in InvalidationCommands.Tlbis(NhVa, NhAsid, true, Base, SixteenTiB, 0x1000, 12, true, rangeFallback: true))
        {
            sum += c.Dw0;
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.NotEqual(0UL, sum);

        // What was enumerated: 2^32 + 35 pages are 3 pages (SCALE 0, NUM 2), 32 pages (SCALE 5) and the
        // 2^32-page chunk (SCALE 32, masked to 0); with fallback that range is the whole ASID.
        var split = InvalidationCommands.Tlbis(NhVa, NhAsid, true, Base, SixteenTiB + 0x23000, 0x1000, 12, true, rangeFallback: false).ToList();
        Assert.Equal([(2UL, 0UL, Base), (0UL, 5UL, Base + 0x3000), (0UL, 0UL, Base + 0x23000)],
            split.Select(c => (c.Get(CommandLayouts.Num), c.Get(CommandLayouts.Scale), CommandLayouts.Addr.GetAddress(c.Dw1))));
        Assert.Equal([NhAsid], InvalidationCommands.Tlbis(NhVa, NhAsid, true, Base, SixteenTiB, 0x1000, 12, true, rangeFallback: true).ToList());
    }
}
