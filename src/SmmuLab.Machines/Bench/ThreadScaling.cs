namespace SmmuLab.Machines.Bench;

/// <summary>
/// How the benchmark's throughput scales from one thread to <see cref="Threads"/>, measured in
/// alternating slices of one run (<see cref="DmaMapBenchmark.MeasureScaling"/>): each pair is a
/// one-thread slice and an N-thread slice back to back, so a host whose speed drifts (a virtual
/// machine, a laptop's clock) moves both sides of a pair alike, and the ratio of each pair is
/// taken before the median.
/// </summary>
public sealed record ThreadScaling
{
    /// <summary>The threads of the N-thread slices (at least 2).</summary>
    public required int Threads { get; init; }

    /// <summary>The length of each slice.</summary>
    public required TimeSpan Slice { get; init; }

    /// <summary>Each pair's map+unmap loops per second, with one thread and with <see cref="Threads"/> (the warm-up pair left out).</summary>
    public required IReadOnlyList<(double OneThread, double Threads)> Pairs { get; init; }

    /// <summary>The median of the one-thread slices' loops per second.</summary>
    public double OneThreadPerSecond => Median(Pairs.Select(p => p.OneThread));

    /// <summary>The median of the N-thread slices' loops per second (all threads together).</summary>
    public double ThreadsPerSecond => Median(Pairs.Select(p => p.Threads));

    /// <summary>The median over the pairs of N-thread throughput over one-thread throughput.</summary>
    public double Ratio => Median(PairRatios);

    /// <summary>The lowest pair's ratio.</summary>
    public double MinRatio => PairRatios.DefaultIfEmpty().Min();

    /// <summary>The highest pair's ratio.</summary>
    public double MaxRatio => PairRatios.DefaultIfEmpty().Max();

    private IEnumerable<double> PairRatios => Pairs.Where(p => p.OneThread > 0).Select(p => p.Threads / p.OneThread);

    /// <summary>The median (the mean of the middle two for an even count); 0 for none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
