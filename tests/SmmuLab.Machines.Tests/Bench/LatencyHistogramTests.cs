using SmmuLab.Machines.Bench;

namespace SmmuLab.Machines.Tests.Bench;

/// <summary>The benchmark's latency histogram: log-linear buckets at most 25 % wide, merged by addition.</summary>
public class LatencyHistogramTests
{
    [Theory]
    [InlineData(0UL, 0, 0UL, 1UL)]
    [InlineData(3UL, 3, 3UL, 4UL)]
    [InlineData(4UL, 4, 4UL, 5UL)]
    [InlineData(7UL, 7, 7UL, 8UL)]
    [InlineData(8UL, 8, 8UL, 10UL)]
    [InlineData(1000UL, 35, 896UL, 1024UL)]
    [InlineData(1024UL, 36, 1024UL, 1280UL)]
    [InlineData(ulong.MaxValue, LatencyHistogram.BucketCount - 1, 0xE000_0000_0000_0000UL, ulong.MaxValue)]
    public void A_value_falls_in_the_bucket_whose_bounds_hold_it(ulong ns, int bucket, ulong lower, ulong upper)
    {
        Assert.Equal(bucket, LatencyHistogram.BucketOf(ns));
        Assert.Equal(lower, LatencyHistogram.LowerBound(bucket));
        Assert.Equal(upper, LatencyHistogram.UpperBound(bucket));
    }

    [Fact]
    public void Every_bucket_starts_where_the_one_before_ends_and_is_at_most_a_quarter_wide()
    {
        for (var b = 1; b < LatencyHistogram.BucketCount; b++)
        {
            var lower = LatencyHistogram.LowerBound(b);
            Assert.Equal(LatencyHistogram.UpperBound(b - 1), lower);
            Assert.Equal(b, LatencyHistogram.BucketOf(lower));
            Assert.Equal(b - 1, LatencyHistogram.BucketOf(lower - 1));
            if (lower >= 4 && b + 1 < LatencyHistogram.BucketCount)
            {
                Assert.True(LatencyHistogram.UpperBound(b) - lower <= lower / 4, $"bucket {b} [{lower}, {LatencyHistogram.UpperBound(b)})");
            }
        }
    }

    [Fact]
    public void Merging_adds_counts_and_percentiles_come_from_the_buckets()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        foreach (var ns in new ulong[] { 1000, 1000, 1000 })
        {
            a.Add(ns);
        }

        b.Add(1_000_000);

        a.Merge(b);

        Assert.Equal(4, a.Count);
        Assert.Equal([(896UL, 1024UL, 3L), (LatencyHistogram.LowerBound(LatencyHistogram.BucketOf(1_000_000)), LatencyHistogram.UpperBound(LatencyHistogram.BucketOf(1_000_000)), 1L)], a.Buckets());
        Assert.Equal(1024UL, a.Percentile(0.5));
        Assert.Equal(LatencyHistogram.UpperBound(LatencyHistogram.BucketOf(1_000_000)), a.Percentile(0.99));
        Assert.Equal(0UL, new LatencyHistogram().Percentile(0.5));
    }
}
