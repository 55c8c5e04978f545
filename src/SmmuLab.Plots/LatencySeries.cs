using SmmuLab.Machines.Bench;
using SmmuLab.Reporting;

namespace SmmuLab.Plots;

/// <summary>
/// What <c>bench --plot</c> draws, apart from the drawing: per benchmark run (design and mode) and
/// operation (map, unmap), the share of samples in each latency bucket, over the contiguous
/// buckets from the first non-empty one to the last (<see cref="LatencyHistogram"/>).
/// </summary>
public sealed record LatencySeries(string Title, IReadOnlyList<LatencyCurve> Curves)
{
    /// <summary>The operations, in panel order.</summary>
    public static readonly IReadOnlyList<string> Operations = ["map", "unmap"];

    public static LatencySeries From(IReadOnlyList<DmaMapBenchmarkResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var curves = new List<LatencyCurve>();
        foreach (var run in runs)
        {
            var mode = DmaMapBenchmarkText.ModeName(run.Dma.Type);
            curves.Add(Curve(run.Design, mode, "map", run.MapHistogram, run.Map));
            curves.Add(Curve(run.Design, mode, "unmap", run.UnmapHistogram, run.Unmap));
        }

        var first = runs.FirstOrDefault();
        var title = first is null
            ? "smmulab bench"
            : $"smmulab bench: {first.Options.Threads} thread{(first.Options.Threads == 1 ? "" : "s")}, granule {first.Options.Granule} page{(first.Options.Granule == 1 ? "" : "s")}, device {first.Device}";
        return new LatencySeries(title, curves);
    }

    private static LatencyCurve Curve(string design, string mode, string operation, LatencyHistogram histogram, LatencyAccumulator sums)
    {
        var buckets = histogram.Buckets().ToList();
        var from = new List<double>();
        var percent = new List<double>();
        if (buckets.Count > 0)
        {
            var lo = LatencyHistogram.BucketOf(buckets[0].LowerNs);
            var hi = LatencyHistogram.BucketOf(buckets[^1].LowerNs);
            var counts = buckets.ToDictionary(b => LatencyHistogram.BucketOf(b.LowerNs), b => b.Count);
            for (var i = lo; i <= hi; i++)
            {
                from.Add(LatencyHistogram.LowerBound(i));
                percent.Add(100.0 * counts.GetValueOrDefault(i) / histogram.Count);
            }
        }

        return new LatencyCurve(design, mode, operation, from, percent, histogram.Count, sums.Mean * 100.0, sums.StandardDeviation * 100.0);
    }
}

/// <summary>
/// One latency histogram: bucket lower bounds (ns) and the percentage of <see cref="Samples"/> in
/// each; the kernel's mean and standard deviation (ns) for the legend.
/// </summary>
public sealed record LatencyCurve(string Design, string Mode, string Operation, IReadOnlyList<double> FromNs, IReadOnlyList<double> Percent,
    long Samples, double MeanNs, double StddevNs)
{
    /// <summary>The legend's text: <c>linux strict: 12345 samples, mean 0.9 µs ± 80.1 µs</c>.</summary>
    public string Label => FormattableString.Invariant($"{Design} {Mode}: {Samples} samples, mean {MeanNs / 1000:F1} µs, sd {StddevNs / 1000:F1} µs");
}
