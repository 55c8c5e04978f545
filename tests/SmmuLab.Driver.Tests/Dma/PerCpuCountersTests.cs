using SmmuLab.Driver.Dma;

namespace SmmuLab.Driver.Tests.Dma;

public sealed class PerCpuCountersTests
{
    [Fact]
    public void Threads_counting_on_their_own_and_on_shared_CPUs_sum_exactly()
    {
        const int Cpus = 3;
        const int PerThread = 50_000;
        var counters = new PerCpuCounters(Cpus);

        // Four threads on three CPUs: two share CPU 0, so a block also takes concurrent adds.
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                counters.Add(t % Cpus, 0);
                counters.Add(t % Cpus, PerCpuCounters.MaxCounters - 1, 2);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(4L * PerThread, counters.Sum(0));
        Assert.Equal(8L * PerThread, counters.Sum(PerCpuCounters.MaxCounters - 1));
        Assert.Equal(0, counters.Sum(1));
    }

    [Fact]
    public void A_CPU_number_outside_the_count_is_counted_not_lost()
    {
        var counters = new PerCpuCounters(2);
        counters.Add(-1, 3);
        counters.Add(2, 3);
        counters.Add(int.MaxValue, 3, 5);
        counters.Add(1, 3);

        Assert.Equal(8, counters.Sum(3));
    }

    [Fact]
    public void The_DMA_layer_counts_each_CPU_s_calls_into_one_total()
    {
        var statistics = new DmaStatistics(4);
        for (var cpu = 0; cpu < 4; cpu++)
        {
            for (var i = 0; i <= cpu; i++)
            {
                statistics.Count(cpu, DmaStatistics.SingleMapsCounter);
            }
        }

        statistics.Count(1, DmaStatistics.SgMapsCounter);
        statistics.Count(2, DmaStatistics.CoherentAllocsCounter);
        Assert.Equal(10, statistics.SingleMaps);
        Assert.Equal(12, statistics.Maps);
        Assert.Equal(0, statistics.Unmaps);
    }
}
