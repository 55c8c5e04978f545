using SmmuLab.Driver.Invalidation;
using SmmuLab.Machines.Bench;

namespace SmmuLab.Machines.Tests.Bench;

/// <summary>The thread-scaling measurement: its arithmetic, and which threads run in which slices.</summary>
public class ThreadScalingTests
{
    [Fact]
    public void The_ratio_is_the_median_of_the_pairs_ratios_not_the_ratio_of_the_medians()
    {
        // Pair ratios 2.0, 1.5 and 1.0: median 1.5. The medians of the sides (200 and 300) would say 1.5
        // too, so the last pair differs: ratios 2.0, 1.5, 1.2 give 1.5, sides 200 and 240 give 1.2.
        var s = new ThreadScaling
        {
            Threads = 2,
            Slice = TimeSpan.FromMilliseconds(250),
            Pairs = [(100, 200), (200, 300), (400, 480)],
        };
        Assert.Equal(1.5, s.Ratio, 12);
        Assert.Equal(1.2, s.MinRatio, 12);
        Assert.Equal(2.0, s.MaxRatio, 12);
        Assert.Equal(200, s.OneThreadPerSecond);
        Assert.Equal(300, s.ThreadsPerSecond);
    }

    [Fact]
    public void The_median_of_an_even_count_is_the_mean_of_the_middle_two()
    {
        Assert.Equal(2.5, ThreadScaling.Median([4, 1, 3, 2]));
        Assert.Equal(3, ThreadScaling.Median([5, 3, 1]));
        Assert.Equal(0, ThreadScaling.Median([]));
    }

    [Fact]
    public void Thread_zero_runs_every_slice_and_the_others_only_the_N_thread_slices()
    {
        var (machine, device) = DmaMapBenchmark.DefaultMachine(InvalidationDesigns.Create(InvalidationDesigns.Linux), cmdqv: true);
        using (machine)
        {
            var before = CommandCounts.Take(machine, device.Smmu);
            var s = DmaMapBenchmark.MeasureScaling(machine, device, new DmaMapBenchmarkOptions { Threads = 2, Duration = TimeSpan.FromMilliseconds(300) },
                TimeSpan.FromMilliseconds(50));
            var queues = CommandCounts.Take(machine, device.Smmu).VcmdqsSince(before);

            Assert.Equal((2, 3), (s.Threads, s.Pairs.Count));
            Assert.True(s.Pairs.Sum(p => p.OneThread) > 0 && s.Pairs.Sum(p => p.Threads) > 0);
            Assert.InRange(s.Ratio, s.MinRatio, s.MaxRatio);

            // Each CPU has its own VCMDQ (CPU i's logical queue i is VCMDQ i): both were used, and CPU 0's, which also ran the one-thread
            // slices (half of the time, alone), executed more.
            Assert.NotNull(queues);
            Assert.Equal(2, queues.Count(n => n != 0));
            Assert.True(queues[0] > queues[1], $"CPU 0's VCMDQ {queues[0]}, CPU 1's {queues[1]}");
        }
    }

    [Fact]
    public void One_thread_or_a_slice_longer_than_the_run_is_refused()
    {
        var (machine, device) = DmaMapBenchmark.DefaultMachine(InvalidationDesigns.Create(InvalidationDesigns.Linux));
        using (machine)
        {
            Assert.Throws<ArgumentException>(() => DmaMapBenchmark.MeasureScaling(machine, device, new DmaMapBenchmarkOptions { Threads = 1 }, TimeSpan.FromMilliseconds(10)));
            Assert.Throws<ArgumentOutOfRangeException>(() => DmaMapBenchmark.MeasureScaling(machine, device,
                new DmaMapBenchmarkOptions { Threads = 2, Duration = TimeSpan.FromMilliseconds(100) }, TimeSpan.FromMilliseconds(200)));
        }
    }
}
