using SmmuLab.Driver.Dma;
using SmmuLab.Machines.Bench;

namespace SmmuLab.Plots.Tests;

/// <summary>What <c>bench --plot</c> draws: a histogram per run and operation, in percent over contiguous buckets.</summary>
public class LatencySeriesTests
{
    private static DmaMapBenchmarkResult Result(string design, DmaDomainType type, ulong[] mapNs, ulong[] unmapNs)
    {
        var map = new LatencyHistogram();
        var unmap = new LatencyHistogram();
        var mapSums = default(LatencyAccumulator);
        var unmapSums = default(LatencyAccumulator);
        foreach (var ns in mapNs)
        {
            map.Add(ns);
            mapSums.Add(ns / 100);
        }

        foreach (var ns in unmapNs)
        {
            unmap.Add(ns);
            unmapSums.Add(ns / 100);
        }

        return new DmaMapBenchmarkResult
        {
            Options = new DmaMapBenchmarkOptions { Threads = 2, Granule = 1 },
            Design = design,
            Device = "dev0",
            Smmu = "smmu0",
            Elapsed = TimeSpan.FromSeconds(1),
            ThreadLoops = [mapNs.Length],
            Map = mapSums,
            Unmap = unmapSums,
            MapHistogram = map,
            UnmapHistogram = unmap,
            Commands = [],
            CmdqCommands = 0,
            VcmdqCommands = null,
            ModeledNanoseconds = 0,
            Dma = new DmaStatisticsSnapshot(type, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        };
    }

    [Fact]
    public void Each_run_gives_a_map_and_an_unmap_curve_whose_buckets_hold_every_sample()
    {
        var runs = new[]
        {
            Result("legacy", DmaDomainType.Dma, [1000, 1000, 1100, 5000], [2000, 2000]),
            Result("linux", DmaDomainType.DmaFq, [900], [3000, 3000, 3000]),
        };

        var series = LatencySeries.From(runs);

        Assert.Equal(
            [("legacy", "strict", "map"), ("legacy", "strict", "unmap"), ("linux", "deferred", "map"), ("linux", "deferred", "unmap")],
            series.Curves.Select(c => (c.Design, c.Mode, c.Operation)));
        Assert.All(series.Curves, c => Assert.Equal(100.0, c.Percent.Sum(), 9));
        var legacyMap = series.Curves[0];
        Assert.Equal(4, legacyMap.Samples);

        // Both 1000s are in [896, 1024), 1100 in [1024, 1280), 5000 in [4096, 5120).
        Assert.Equal(896, legacyMap.FromNs[0]);
        Assert.Equal(50.0, legacyMap.Percent[0], 9);
        Assert.Equal(1024, legacyMap.FromNs[1]);
        Assert.Equal(25.0, legacyMap.Percent[1], 9);
        Assert.Equal(4096, legacyMap.FromNs[^1]);
        Assert.Equal(25.0, legacyMap.Percent[^1], 9);

        // Contiguous: every bucket between the first and the last, empty ones at 0 %.
        var buckets = legacyMap.FromNs.Select(ns => LatencyHistogram.BucketOf((ulong)ns)).ToList();
        Assert.Equal(Enumerable.Range(buckets[0], buckets.Count), buckets);
        Assert.Contains(0.0, legacyMap.Percent);
        Assert.Equal([100.0], series.Curves[3].Percent);
        // The kernel's integer mean of 10, 10, 11 and 50 (100 ns units) is 20.
        Assert.Contains("mean 2.0 µs", legacyMap.Label, StringComparison.Ordinal);
        Assert.StartsWith("smmulab bench: 2 threads, granule 1 page, device dev0", series.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_without_samples_gives_empty_curves_and_still_a_picture()
    {
        var series = LatencySeries.From([Result("linux", DmaDomainType.Dma, [], [])]);

        Assert.All(series.Curves, c => Assert.Empty(c.FromNs));
        Assert.Equal((LatencyPlot.Width, LatencyPlot.Height), PngFile.Size(LatencyPlot.Png(series)));
    }

    [Fact]
    public void The_picture_is_a_png_of_the_documented_size()
    {
        var series = LatencySeries.From([Result("legacy", DmaDomainType.Dma, [1000, 1200, 80_000], [2000, 2600])]);

        var png = LatencyPlot.Png(series);

        Assert.Equal((LatencyPlot.Width, LatencyPlot.Height), PngFile.Size(png));
        Assert.True(png.Length > 20_000, $"{png.Length} bytes: too small for two panels with axes and a legend");
    }

    [Theory]
    [InlineData(100, "100 ns")]
    [InlineData(1000, "1 µs")]
    [InlineData(10_000_000, "10 ms")]
    [InlineData(2e9, "2 s")]
    public void Axis_ticks_name_their_unit(double ns, string label) => Assert.Equal(label, LatencyPlot.Duration(ns));
}
