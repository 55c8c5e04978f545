using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Invalidation;

namespace SmmuLab.Driver.Tests.Invalidation;

/// <summary>
/// The non-leaf page bump of the range split (IHI0070 4.4.1.1): a non-leaf TLBI has TTL 0, so a
/// chunk of one page at SCALE 0 (NUM 0) would be the reserved NUM == SCALE == TTL == 0 encoding.
/// A non-leaf range of 1 mod 32 pages (1, 33, 65, ...) therefore covers one page more; a leaf range
/// never does (its TTL is not 0).
/// </summary>
public class TlbiNonLeafRangeTests
{
    private const ulong Iova = 0x40_0000;
    private static readonly Command NhVa = Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 5, 0, leaf: false);

    [Theory]
    [InlineData(1)]
    [InlineData(33)]
    [InlineData(65)]
    [InlineData(97)]
    [InlineData(1025)]
    public void A_non_leaf_range_of_1_mod_32_pages_covers_one_page_more_and_never_the_reserved_encoding(int pages)
    {
        var commands = InvalidationCommands.Split(NhVa, leaf: false, Iova, (ulong)pages * 0x1000, 0x1000, pageShift: 12).ToList();

        Assert.Equal((ulong)pages + 1, InvalidationCommands.RangePages(Iova, (ulong)pages * 0x1000, 12, leaf: false));
        Assert.Equal((ulong)pages + 1, Covered(commands));
        Assert.All(commands, c => Assert.False(
            c.Get(CommandLayouts.Num) == 0 && c.Get(CommandLayouts.Scale) == 0 && c.Get(CommandLayouts.Ttl) == 0,
            $"reserved NUM/SCALE/TTL encoding in {c}"));
        Assert.Equal(Iova, CommandLayouts.Addr.GetAddress(commands[0].Dw1));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(32)]
    [InlineData(34)]
    [InlineData(64)]
    public void A_non_leaf_range_of_other_page_counts_is_not_bumped(int pages)
    {
        var commands = InvalidationCommands.Split(NhVa, leaf: false, Iova, (ulong)pages * 0x1000, 0x1000, pageShift: 12).ToList();

        Assert.Equal((ulong)pages, Covered(commands));
    }

    [Theory]
    [InlineData(33)]
    [InlineData(65)]
    public void A_leaf_range_of_1_mod_32_pages_is_not_bumped(int pages)
    {
        var commands = InvalidationCommands.Split(NhVa, leaf: true, Iova, (ulong)pages * 0x1000, 0x1000, pageShift: 12).ToList();

        Assert.Equal((ulong)pages, Covered(commands));
        Assert.All(commands, c => Assert.Equal(3UL, c.Get(CommandLayouts.Ttl)));
    }

    [Fact]
    public void Thirty_three_non_leaf_pages_are_one_command_of_34_and_65_are_two_of_2_and_64()
    {
        var c33 = Assert.Single(InvalidationCommands.Split(NhVa, leaf: false, Iova, 33 * 0x1000, 0x1000, pageShift: 12).ToList());
        Assert.Equal((16UL, 1UL, 0UL), (c33.Get(CommandLayouts.Num), c33.Get(CommandLayouts.Scale), c33.Get(CommandLayouts.Ttl)));

        var c65 = InvalidationCommands.Split(NhVa, leaf: false, Iova, 65 * 0x1000, 0x1000, pageShift: 12).ToList();
        Assert.Equal([(0UL, 1UL, Iova), (0UL, 6UL, Iova + 0x2000)],
            c65.Select(c => (c.Get(CommandLayouts.Num), c.Get(CommandLayouts.Scale), CommandLayouts.Addr.GetAddress(c.Dw1))));
    }

    /// <summary>Pages the commands cover: (NUM + 1) * 2^SCALE each.</summary>
    private static ulong Covered(List<Command> commands) =>
        commands.Aggregate(0UL, (n, c) => n + ((c.Get(CommandLayouts.Num) + 1) << (int)c.Get(CommandLayouts.Scale)));
}
