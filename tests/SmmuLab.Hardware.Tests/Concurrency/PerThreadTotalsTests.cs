using SmmuLab.Hardware.Concurrency;

namespace SmmuLab.Hardware.Tests.Concurrency;

/// <summary>Per-thread totals add up exactly, also when threads alternate between more totals than a thread keeps places for.</summary>
public sealed class PerThreadTotalsTests
{
    [Fact]
    public void Threads_alternating_between_many_totals_lose_no_addition()
    {
        const int Threads = 3;
        const int Rounds = 20_000;
        var totals = Enumerable.Range(0, 11).Select(_ => new PerThreadTotals()).ToArray(); // more than the 8 places: some share one
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var total in totals)
                {
                    total.Add(1, t + 1);
                }
            }
        })).ToArray();
        foreach (var worker in workers)
        {
            worker.Start();
        }

        foreach (var worker in workers)
        {
            Assert.True(worker.Join(TimeSpan.FromSeconds(60)));
        }

        Assert.All(totals, total => Assert.Equal(((long)Threads * Rounds, (1L + 2 + 3) * Rounds), (total.First, total.Second)));
    }
}
