using System.Diagnostics;
using SmmuLab.Machines.Bench;

namespace SmmuLab.Machines.Tests.Bench;

/// <summary>The kernel's integer mean and standard deviation over sums in 100 ns units.</summary>
public class LatencyAccumulatorTests
{
    [Fact]
    public void Mean_and_deviation_use_integer_arithmetic_like_map_benchmark_c()
    {
        var a = default(LatencyAccumulator);
        foreach (var x in new ulong[] { 1, 2, 3, 4 })
        {
            a.Add(x);
        }

        // sum 10, sum of squares 30; mean 10 / 4 = 2; variance 30 / 4 − 2² = 3; int_sqrt(3) = 1.
        Assert.Equal(4, a.Count);
        Assert.Equal(10UL, a.Sum);
        Assert.Equal(30UL, a.SumOfSquares);
        Assert.Equal(2UL, a.Mean);
        Assert.Equal(1UL, a.StandardDeviation);
    }

    [Fact]
    public void Merging_two_threads_equals_one_thread_adding_everything()
    {
        var one = default(LatencyAccumulator);
        var left = default(LatencyAccumulator);
        var right = default(LatencyAccumulator);
        for (ulong x = 0; x < 100; x++)
        {
            one.Add(x * 7 % 13);
            if (x % 3 == 0)
            {
                left.Add(x * 7 % 13);
            }
            else
            {
                right.Add(x * 7 % 13);
            }
        }

        left.Merge(right);
        Assert.Equal(one, left);
    }

    [Fact]
    public void Nothing_added_reads_as_zero()
    {
        var a = default(LatencyAccumulator);
        Assert.Equal(0UL, a.Mean);
        Assert.Equal(0UL, a.StandardDeviation);
    }

    [Fact]
    public void Ticks_become_whole_hundreds_of_nanoseconds_truncated()
    {
        Assert.Equal(0UL, LatencyAccumulator.ToHundredNanoseconds(0));
        Assert.Equal(0UL, LatencyAccumulator.ToHundredNanoseconds(-5));
        Assert.Equal(10UL, LatencyAccumulator.ToHundredNanoseconds(Stopwatch.Frequency / 1_000_000));
        Assert.Equal(10_000_000UL, LatencyAccumulator.ToHundredNanoseconds(Stopwatch.Frequency));
        var a = default(LatencyAccumulator);
        a.AddTicks(100, 100 + (Stopwatch.Frequency / 100_000));
        Assert.Equal(100UL, a.Sum);
    }

    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(1UL, 1UL)]
    [InlineData(3UL, 1UL)]
    [InlineData(4UL, 2UL)]
    [InlineData(99UL, 9UL)]
    [InlineData(100UL, 10UL)]
    [InlineData(ulong.MaxValue, 0xFFFF_FFFFUL)]
    [InlineData(0xFFFF_FFFE_0000_0001UL, 0xFFFF_FFFFUL)]
    [InlineData(0xFFFF_FFFE_0000_0000UL, 0xFFFF_FFFEUL)]
    public void Integer_square_root_is_the_floor(ulong x, ulong root) => Assert.Equal(root, LatencyAccumulator.IntegerSquareRoot(x));
}
