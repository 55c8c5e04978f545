using SmmuLab.Driver.PageTables;

namespace SmmuLab.Driver.Tests.PageTables;

public sealed class PageSizeSelectorTests
{
    private const ulong K4 = 0x1000, M2 = 0x20_0000, G1 = 0x4000_0000;
    private const ulong Bitmap4K = K4 | M2 | G1;

    [Theory]
    [InlineData(0UL, 0UL, G1, G1)]
    [InlineData(0UL, 0UL, 2 * G1 + K4, G1)]
    [InlineData(M2, M2, G1, M2)]
    [InlineData(0UL, K4, G1, K4)]
    [InlineData(G1, 3 * M2, 4 * M2, M2)]
    [InlineData(K4, K4, M2, K4)]
    [InlineData(0UL, 0UL, M2 - K4, K4)]
    [InlineData(0UL, 0UL, 0x800UL, 0UL)]
    [InlineData(0UL, 0UL, 0UL, 0UL)]
    public void Picks_the_largest_size_that_fits_length_and_alignment(ulong iova, ulong pa, ulong remaining, ulong expected) =>
        Assert.Equal(expected, PageSizeSelector.Select(Bitmap4K, iova, pa, remaining));

    [Fact]
    public void Splits_an_unaligned_range_into_pages_blocks_and_pages()
    {
        var pieces = new List<(ulong Iova, ulong Size)>();
        var n = PageSizeSelector.Split(Bitmap4K, M2 - K4, M2 - K4, 2 * M2 + 2 * K4, (iova, _, size) => pieces.Add((iova, size)));
        Assert.Equal(4, n);
        Assert.Equal([(M2 - K4, K4), (M2, M2), (2 * M2, M2), (3 * M2, K4)], pieces);
        Assert.Throws<ArgumentException>(() => PageSizeSelector.Split(Bitmap4K, 0, 0, 0x800));
    }
}
