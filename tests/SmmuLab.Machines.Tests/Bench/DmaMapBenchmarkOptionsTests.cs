using SmmuLab.Driver.Dma;
using SmmuLab.Machines.Bench;

namespace SmmuLab.Machines.Tests.Bench;

/// <summary>The kernel's and the tool's range checks.</summary>
public class DmaMapBenchmarkOptionsTests
{
    [Fact]
    public void The_defaults_are_the_tools()
    {
        var o = new DmaMapBenchmarkOptions();
        Assert.Null(o.Problem());
        Assert.Equal(1, o.Threads);
        Assert.Equal(TimeSpan.FromSeconds(20), o.Duration);
        Assert.Equal(1, o.Granule);
        Assert.Equal(DmaDirection.Bidirectional, o.Direction);
        Assert.Equal(0xFFFF_FFFFUL, o.DmaMask);
        Assert.Equal(DmaDomainType.Dma, o.Type);
    }

    [Fact]
    public void The_limits_themselves_are_accepted() =>
        Assert.Null(new DmaMapBenchmarkOptions
        {
            Threads = 1024,
            Duration = TimeSpan.FromSeconds(300),
            Granule = 1024,
            DmaTransNs = 10_000_000,
            Direction = DmaDirection.FromDevice,
        }.Problem());

    public static TheoryData<DmaMapBenchmarkOptions, string> Refused => new()
    {
        { new() { Threads = 0 }, "invalid number of threads, must be in 1-1024" },
        { new() { Threads = 1025 }, "invalid number of threads, must be in 1-1024" },
        { new() { Duration = TimeSpan.Zero }, "invalid number of seconds, must be in 1-300" },
        { new() { Duration = TimeSpan.FromSeconds(301) }, "invalid number of seconds, must be in 1-300" },
        { new() { Granule = 0 }, "invalid granule size, must be in 1-1024" },
        { new() { Granule = 1025 }, "invalid granule size, must be in 1-1024" },
        { new() { DmaTransNs = -1 }, "invalid transmit delay, must be in 0-10000000" },
        { new() { DmaTransNs = 10_000_001 }, "invalid transmit delay, must be in 0-10000000" },
        { new() { Direction = DmaDirection.None }, "invalid dma direction" },
        { new() { MaxLoopsPerThread = 0 }, "invalid loop limit, must be at least 1" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Out_of_range_values_are_refused_with_the_tools_words(DmaMapBenchmarkOptions options, string message) =>
        Assert.Equal(message, options.Problem());
}
