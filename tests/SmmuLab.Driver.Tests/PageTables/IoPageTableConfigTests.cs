using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Driver.Tests.PageTables;

public sealed class IoPageTableConfigTests
{
    /// <summary>Reference §5.6 worked values: granule, IAS = OAS, start level, PGD index bits, S2SL0.</summary>
    [Theory]
    [InlineData(Granule.Size4K, 32, 1, 2, 1)]
    [InlineData(Granule.Size4K, 36, 1, 6, 1)]
    [InlineData(Granule.Size4K, 40, 1, 10, 1)]
    [InlineData(Granule.Size4K, 42, 1, 12, 1)]
    [InlineData(Granule.Size4K, 44, 0, 5, 2)]
    [InlineData(Granule.Size4K, 48, 0, 9, 2)]
    [InlineData(Granule.Size16K, 32, 2, 7, 1)]
    [InlineData(Granule.Size16K, 36, 2, 11, 1)]
    [InlineData(Granule.Size16K, 40, 1, 4, 2)]
    [InlineData(Granule.Size16K, 44, 1, 8, 2)]
    [InlineData(Granule.Size16K, 48, 1, 12, 2)]
    [InlineData(Granule.Size64K, 32, 2, 3, 1)]
    [InlineData(Granule.Size64K, 40, 2, 11, 1)]
    [InlineData(Granule.Size64K, 42, 2, 13, 1)]
    [InlineData(Granule.Size64K, 44, 1, 2, 2)]
    [InlineData(Granule.Size64K, 48, 1, 6, 2)]
    public void Stage2_geometry_matches_the_reference_and_the_hardware_decoder(Granule g, int bits, int start, int pgdBits, uint sl0)
    {
        var c = new IoPageTableConfig(IoPageTableFormat.Stage2, g, bits, bits, coherentWalk: true);
        Assert.Equal(start, c.StartLevel);
        Assert.Equal(pgdBits, c.StartLevelIndexBits);
        var vtcr = c.Stage2Control(0x1234_0000);
        Assert.Equal(sl0, vtcr.SL0);
        Assert.Equal((uint)(64 - bits), vtcr.T0SZ);
        Assert.Equal(0x1234_0000UL, vtcr.Vttbr);

        Assert.True(TranslationWalker.TryGetStage2StartLevel(g, (int)vtcr.T0SZ, vtcr.SL0, out var hwStart, out var hwConcat));
        Assert.Equal(start, hwStart);
        Assert.Equal(c.ConcatenatedTables, hwConcat);
    }

    [Fact]
    public void Concatenation_happens_only_when_level_0_would_hold_at_most_16_entries()
    {
        Assert.Equal(2, new IoPageTableConfig(IoPageTableFormat.Stage2, Granule.Size4K, 40, 40, true).ConcatenatedTables);
        Assert.Equal(8, new IoPageTableConfig(IoPageTableFormat.Stage2, Granule.Size4K, 42, 42, true).ConcatenatedTables);
        Assert.Equal(1, new IoPageTableConfig(IoPageTableFormat.Stage2, Granule.Size4K, 44, 44, true).ConcatenatedTables);
        Assert.Equal(2, new IoPageTableConfig(IoPageTableFormat.Stage2, Granule.Size16K, 48, 48, true).ConcatenatedTables);

        // Stage 1 never concatenates: 4K with 40 bits starts at level 0 with 2 entries.
        var s1 = new IoPageTableConfig(IoPageTableFormat.Stage1, Granule.Size4K, 40, 40, true);
        Assert.Equal(0, s1.StartLevel);
        Assert.Equal(1, s1.StartLevelIndexBits);
        Assert.Equal(64UL, new PageTableHarness(s1).Table.StartLevelTableBytes);
    }

    [Theory]
    [InlineData(Granule.Size4K, 48, 0)]
    [InlineData(Granule.Size4K, 39, 1)]
    [InlineData(Granule.Size4K, 32, 1)]
    [InlineData(Granule.Size16K, 48, 0)]
    [InlineData(Granule.Size16K, 47, 1)]
    [InlineData(Granule.Size64K, 48, 1)]
    [InlineData(Granule.Size64K, 42, 2)]
    public void Stage1_start_level_agrees_with_the_hardware(Granule g, int ias, int start)
    {
        var c = new IoPageTableConfig(IoPageTableFormat.Stage1, g, ias, 48, true);
        Assert.Equal(start, c.StartLevel);
        Assert.True(TranslationWalker.TryGetStage1StartLevel(g, ias, out var hw));
        Assert.Equal(hw, c.StartLevel);
    }

    [Fact]
    public void Stage1_control_encodes_the_linux_choices()
    {
        var c = new IoPageTableConfig(IoPageTableFormat.Stage1, Granule.Size16K, 48, 44, coherentWalk: true);
        Assert.Equal(new Stage1TranslationControl(0x8000, 16, 2, 1, 1, 3, 4, 0x0000_0000_F404_FF44UL), c.Stage1Control(0x8000));

        var nc = new IoPageTableConfig(IoPageTableFormat.Stage1, Granule.Size64K, 36, 52, coherentWalk: false);
        Assert.Equal(new Stage1TranslationControl(0, 28, 1, 0, 0, 2, 6, IoPageTableConfig.Mair), nc.Stage1Control(0));

        var outer = new IoPageTableConfig(IoPageTableFormat.Stage1, Granule.Size4K, 48, 40, false, IoPageTableQuirks.OuterWbwa);
        var tcr = outer.Stage1Control(0);
        Assert.Equal((0u, 1u, 2u, 0u, 2u), (tcr.IRGN0, tcr.ORGN0, tcr.SH0, tcr.TG0, tcr.IPS));
        Assert.Throws<InvalidOperationException>(() => outer.Stage2Control(0));
    }

    [Fact]
    public void Stage2_control_encodes_the_walk_attributes_and_output_size()
    {
        var c = new IoPageTableConfig(IoPageTableFormat.Stage2, Granule.Size64K, 48, 52, coherentWalk: false);
        Assert.Equal(new Stage2TranslationControl(0x10000, 16, 2, 1, 6, 0, 0, 2), c.Stage2Control(0x10000));
        var coherent = new IoPageTableConfig(IoPageTableFormat.Stage2, Granule.Size4K, 40, 40, coherentWalk: true);
        Assert.Equal(new Stage2TranslationControl(0, 24, 1, 0, 2, 1, 1, 3), coherent.Stage2Control(0));
        Assert.Throws<InvalidOperationException>(() => c.Stage1Control(0));
    }

    [Theory]
    [InlineData(Granule.Size4K, 48, 48, 0x4000_0000UL | 0x20_0000 | 0x1000)]
    [InlineData(Granule.Size4K, 32, 48, 0x4000_0000UL | 0x20_0000 | 0x1000)]
    [InlineData(Granule.Size16K, 48, 48, 0x200_0000UL | 0x4000)]
    [InlineData(Granule.Size64K, 48, 48, 0x2000_0000UL | 0x1_0000)]
    [InlineData(Granule.Size64K, 48, 52, 0x400_0000_0000UL | 0x2000_0000 | 0x1_0000)]
    [InlineData(Granule.Size64K, 40, 52, 0x2000_0000UL | 0x1_0000)]
    public void Page_sizes_follow_the_granule_and_output_size(Granule g, int ias, int oas, ulong bitmap)
    {
        Assert.Equal(bitmap, new IoPageTableConfig(IoPageTableFormat.Stage1, g, ias, oas, true).PageSizeBitmap);
    }

    [Fact]
    public void Unsupported_combinations_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IoPageTableConfig(IoPageTableFormat.Stage1, Granule.Size4K, 31, 48, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IoPageTableConfig(IoPageTableFormat.Stage1, Granule.Size4K, 49, 48, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IoPageTableConfig(IoPageTableFormat.Stage1, Granule.Size4K, 48, 46, true));
        Assert.Throws<ArgumentException>(() => new IoPageTableConfig(IoPageTableFormat.Stage1, Granule.Size4K, 48, 52, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IoPageTableConfig(IoPageTableFormat.Stage1, (Granule)13, 48, 48, true));
        Assert.Throws<ArgumentException>(() =>
            new IoPageTableConfig(IoPageTableFormat.Stage1, Granule.Size4K, 48, 48, true, IoPageTableQuirks.S2Fwb));
        Assert.Throws<ArgumentException>(() =>
            new IoPageTableConfig(IoPageTableFormat.Stage2, Granule.Size4K, 48, 48, true, IoPageTableQuirks.NonSecure));
    }
}
