namespace SmmuLab.Scenarios.Tests.Workloads;

public class QuantitiesTests
{
    [Theory]
    [InlineData("4096", 4096UL)]
    [InlineData("0x1000", 4096UL)]
    [InlineData("4KiB", 4096UL)]
    [InlineData("4 KiB", 4096UL)]
    [InlineData("4k", 4096UL)]
    [InlineData("2MB", 2UL << 20)]
    [InlineData("1GiB", 1UL << 30)]
    [InlineData("1_000", 1000UL)]
    [InlineData("3T", 3UL << 40)]
    public void Sizes_read_in_binary_units(string text, ulong bytes)
    {
        Assert.True(Quantities.TryParseBytes(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("KiB")]
    [InlineData("-4KiB")]
    [InlineData("4 lightyears")]
    [InlineData("99999999999TiB")]
    public void Sizes_that_are_not_sizes_are_refused(string text) => Assert.False(Quantities.TryParseBytes(text, out _));

    [Theory]
    [InlineData("10ms", 100_000L)]
    [InlineData("1us", 10L)]
    [InlineData("1500us", 15_000L)]
    [InlineData("2s", 20_000_000L)]
    [InlineData("500ns", 5L)]
    public void Durations_read_in_ticks(string text, long ticks)
    {
        Assert.True(Quantities.TryParseDuration(text, out var d));
        Assert.Equal(ticks, d.Ticks);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("ms")]
    [InlineData("1.5ms")]
    [InlineData("-1ms")]
    public void Durations_need_a_whole_number_and_a_unit(string text) => Assert.False(Quantities.TryParseDuration(text, out _));
}
