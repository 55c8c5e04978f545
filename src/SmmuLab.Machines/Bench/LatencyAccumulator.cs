using System.Diagnostics;

namespace SmmuLab.Machines.Bench;

/// <summary>
/// Running sums of one thread's latencies in units of 100 ns, as Linux's map_benchmark.c keeps
/// them: the sum and the sum of squares, so that adding a sample allocates nothing and threads
/// merge by addition. The mean and standard deviation use the kernel's integer arithmetic.
/// </summary>
public struct LatencyAccumulator
{
    /// <summary>Samples added.</summary>
    public long Count { get; private set; }

    /// <summary>Sum of the samples, 100 ns units.</summary>
    public ulong Sum { get; private set; }

    /// <summary>Sum of the squared samples, (100 ns)² units.</summary>
    public ulong SumOfSquares { get; private set; }

    /// <summary>sum / count (integer division), 100 ns units; 0 without samples.</summary>
    public readonly ulong Mean => Count == 0 ? 0 : Sum / (ulong)Count;

    /// <summary>int_sqrt(sum_sq / count − mean²), 100 ns units; 0 without samples.</summary>
    public readonly ulong StandardDeviation
    {
        get
        {
            if (Count == 0)
            {
                return 0;
            }

            var mean = Mean;
            return IntegerSquareRoot((SumOfSquares / (ulong)Count) - (mean * mean));
        }
    }

    /// <summary>Adds the time between two <see cref="Stopwatch.GetTimestamp"/> values, truncated to 100 ns.</summary>
    public void AddTicks(long startTimestamp, long endTimestamp) => Add(ToHundredNanoseconds(endTimestamp - startTimestamp));

    /// <summary>Adds one sample in 100 ns units.</summary>
    public void Add(ulong hundredNanoseconds)
    {
        Count++;
        Sum += hundredNanoseconds;
        SumOfSquares += hundredNanoseconds * hundredNanoseconds;
    }

    /// <summary>Adds another thread's sums to these.</summary>
    public void Merge(in LatencyAccumulator other)
    {
        Count += other.Count;
        Sum += other.Sum;
        SumOfSquares += other.SumOfSquares;
    }

    /// <summary>Stopwatch ticks to whole 100 ns units, truncating (the kernel's <c>ktime / 100</c>).</summary>
    public static ulong ToHundredNanoseconds(long ticks)
    {
        if (ticks <= 0)
        {
            return 0;
        }

        const long perSecond = 10_000_000;
        var frequency = Stopwatch.Frequency;
        return frequency % perSecond == 0
            ? (ulong)(ticks / (frequency / perSecond))
            : (ulong)((Int128)ticks * perSecond / frequency);
    }

    /// <summary>The largest r with r² ≤ <paramref name="x"/> (the kernel's <c>int_sqrt64</c>).</summary>
    public static ulong IntegerSquareRoot(ulong x)
    {
        if (x < 2)
        {
            return x;
        }

        var r = Math.Min((ulong)Math.Sqrt(x), 0xFFFF_FFFFUL);
        while (r > x / r)
        {
            r--;
        }

        while (r + 1 <= x / (r + 1))
        {
            r++;
        }

        return r;
    }
}
