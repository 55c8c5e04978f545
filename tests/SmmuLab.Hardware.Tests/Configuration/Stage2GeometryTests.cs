using SmmuLab.Architecture.PageTables;
using SmmuLab.Hardware.Configuration;

namespace SmmuLab.Hardware.Tests.Configuration;

public sealed class Stage2GeometryTests
{
    [Theory]
    [InlineData(Granule.Size4K, 32, 1u, 1, 1)]
    [InlineData(Granule.Size4K, 28, 1u, 1, 1)]
    [InlineData(Granule.Size4K, 24, 1u, 1, 2)]
    [InlineData(Granule.Size4K, 22, 1u, 1, 8)]
    [InlineData(Granule.Size4K, 21, 1u, 1, 16)]
    [InlineData(Granule.Size4K, 20, 2u, 0, 1)]
    [InlineData(Granule.Size4K, 16, 2u, 0, 1)]
    [InlineData(Granule.Size4K, 34, 0u, 2, 1)]
    [InlineData(Granule.Size16K, 32, 1u, 2, 1)]
    [InlineData(Granule.Size16K, 28, 1u, 2, 1)]
    [InlineData(Granule.Size16K, 24, 2u, 1, 1)]
    [InlineData(Granule.Size16K, 16, 2u, 1, 2)]
    [InlineData(Granule.Size16K, 39, 0u, 3, 1)]
    [InlineData(Granule.Size16K, 24, 1u, 2, 16)]
    [InlineData(Granule.Size64K, 32, 1u, 2, 1)]
    [InlineData(Granule.Size64K, 22, 1u, 2, 1)]
    [InlineData(Granule.Size64K, 20, 2u, 1, 1)]
    [InlineData(Granule.Size64K, 16, 2u, 1, 1)]
    [InlineData(Granule.Size64K, 12, 2u, 1, 1)]
    [InlineData(Granule.Size64K, 39, 0u, 3, 1)]
    public void Consistent_configurations_give_the_start_level_and_concatenation(
        Granule g, int t0sz, uint sl0, int level, int tables)
    {
        Assert.True(Stage2Geometry.TryGetStartLevel(g, t0sz, sl0, out var start, out var concat));
        Assert.Equal(level, start);
        Assert.Equal(tables, concat);
    }

    [Theory]
    [InlineData(Granule.Size4K, 20, 1u)] // 44-bit IPA at level 1 needs 32 tables
    [InlineData(Granule.Size4K, 34, 1u)] // 30-bit IPA: level 1 resolves no bit
    [InlineData(Granule.Size4K, 25, 0u)] // 39-bit IPA at level 2 needs 512 tables
    [InlineData(Granule.Size4K, 25, 3u)] // SL0 = 3 reserved (no FEAT_TTST)
    [InlineData(Granule.Size16K, 25, 3u)]
    [InlineData(Granule.Size64K, 25, 3u)]
    [InlineData(Granule.Size16K, 23, 1u)] // 41-bit at level 2 needs 32 tables
    [InlineData(Granule.Size64K, 32, 2u)] // 32-bit at level 1 resolves no bit
    public void Inconsistent_or_reserved_start_levels_are_rejected(Granule g, int t0sz, uint sl0)
    {
        Assert.False(Stage2Geometry.TryGetStartLevel(g, t0sz, sl0, out _, out _));
    }

    [Theory]
    [InlineData(Granule.Size4K, 40, false)]
    [InlineData(Granule.Size4K, 44, true)]
    [InlineData(Granule.Size16K, 40, false)]
    [InlineData(Granule.Size16K, 42, true)]
    [InlineData(Granule.Size64K, 42, false)]
    [InlineData(Granule.Size64K, 44, true)]
    public void The_deepest_start_level_needs_a_large_enough_PA_size(Granule g, int paBits, bool ok)
    {
        // SL0 = 2 with the smallest IPA the level accepts.
        var t0sz = 64 - (g.LevelShift(g == Granule.Size4K ? 0 : 1) + 1);
        Assert.Equal(ok, Stage2Geometry.TryGetStartLevel(g, t0sz, 2, paBits, out _, out _));
    }

    [Fact]
    public void Concatenated_tables_are_aligned_to_their_total_size()
    {
        Assert.True(Stage2Geometry.TryGetStartLevel(Granule.Size4K, 22, 1, out var start, out var concat));
        Assert.Equal(8, concat);
        Assert.Equal(15, Stage2Geometry.StartTableAlignmentBits(Granule.Size4K, 42, start));
    }
}
