using System.Diagnostics;
using System.Numerics;

namespace SmmuLab.Machines.Bench;

/// <summary>
/// Latencies in nanoseconds counted in log-linear buckets: below 4 ns one bucket per nanosecond,
/// above it four buckets per power of two (each bucket at most 25 % wide), so a sample costs a
/// shift and an increment, threads merge by addition, and the whole range of a 64-bit value takes
/// <see cref="BucketCount"/> counters. What <c>bench --plot</c> draws and <c>--json</c> lists.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Buckets per power of two.</summary>
    public const int SubBuckets = 4;

    /// <summary>Buckets of the whole 64-bit range.</summary>
    public const int BucketCount = SubBuckets * 63;

    private readonly long[] counts = new long[BucketCount];

    /// <summary>Samples added.</summary>
    public long Count { get; private set; }

    /// <summary>The bucket of <paramref name="nanoseconds"/>.</summary>
    public static int BucketOf(ulong nanoseconds)
    {
        if (nanoseconds < SubBuckets)
        {
            return (int)nanoseconds;
        }

        var exponent = 63 - BitOperations.LeadingZeroCount(nanoseconds); // >= 2
        var sub = (int)(nanoseconds >> (exponent - 2)) & (SubBuckets - 1);
        return (SubBuckets * (exponent - 1)) + sub;
    }

    /// <summary>The smallest value of bucket <paramref name="bucket"/>, ns.</summary>
    public static ulong LowerBound(int bucket)
    {
        if (bucket < SubBuckets)
        {
            return (ulong)bucket;
        }

        var exponent = (bucket / SubBuckets) + 1;
        var sub = (ulong)(bucket % SubBuckets);
        return (1UL << exponent) + (sub << (exponent - 2));
    }

    /// <summary>One past the largest value of bucket <paramref name="bucket"/>, ns (saturating at the top).</summary>
    public static ulong UpperBound(int bucket) => bucket + 1 >= BucketCount ? ulong.MaxValue : LowerBound(bucket + 1);

    /// <summary>Adds one sample.</summary>
    public void Add(ulong nanoseconds)
    {
        counts[BucketOf(nanoseconds)]++;
        Count++;
    }

    /// <summary>Adds the time between two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    public void AddTicks(long startTimestamp, long endTimestamp)
    {
        var ticks = endTimestamp - startTimestamp;
        const long perSecond = 1_000_000_000;
        var frequency = Stopwatch.Frequency;
        Add(ticks <= 0 ? 0
            : frequency == perSecond ? (ulong)ticks // Linux: no division in the benchmark's loop
            : (ulong)((Int128)ticks * perSecond / frequency));
    }

    /// <summary>Adds another histogram's counts to these.</summary>
    public void Merge(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < BucketCount; i++)
        {
            counts[i] += other.counts[i];
        }

        Count += other.Count;
    }

    /// <summary>The non-empty buckets in order: lower bound (inclusive), upper bound (exclusive), samples.</summary>
    public IEnumerable<(ulong LowerNs, ulong UpperNs, long Count)> Buckets()
    {
        for (var i = 0; i < BucketCount; i++)
        {
            if (counts[i] != 0)
            {
                yield return (LowerBound(i), UpperBound(i), counts[i]);
            }
        }
    }

    /// <summary>The value below which <paramref name="fraction"/> of the samples lie, at bucket resolution (its upper bound); 0 without samples.</summary>
    public ulong Percentile(double fraction)
    {
        if (Count == 0)
        {
            return 0;
        }

        var target = (long)Math.Ceiling(Math.Clamp(fraction, 0, 1) * Count);
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += counts[i];
            if (seen >= Math.Max(target, 1))
            {
                return UpperBound(i);
            }
        }

        return ulong.MaxValue;
    }
}
