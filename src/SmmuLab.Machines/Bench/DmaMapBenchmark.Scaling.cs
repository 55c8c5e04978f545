using System.Diagnostics;
using SmmuLab.Driver.Dma;

namespace SmmuLab.Machines.Bench;

/// <summary>The thread-scaling measurement: one-thread and N-thread slices alternating on the same threads (<see cref="WorkerThreads"/>).</summary>
public static partial class DmaMapBenchmark
{
    /// <summary>The default length of a scaling slice.</summary>
    public static readonly TimeSpan DefaultScalingSlice = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Measures how throughput scales from one thread to <see cref="DmaMapBenchmarkOptions.Threads"/>
    /// on a fresh DMA domain for <paramref name="device"/>, as <see cref="Run"/> sets one up: the
    /// same N threads (thread i is CPU i) run every slice, thread 0 alone in the one-thread slices
    /// and all of them in the N-thread slices, in pairs of one slice each whose order alternates
    /// (1, N, then N, 1), for <see cref="DmaMapBenchmarkOptions.Duration"/> after one warm-up pair
    /// that is not counted. The threads, their IOVA caches and the page tables stay warm across
    /// slices, and a pair's two slices run within half a second of each other.
    /// </summary>
    /// <exception cref="ArgumentException">The options fail <see cref="DmaMapBenchmarkOptions.Problem"/>, or ask for fewer than two threads, or the slice is not positive.</exception>
    /// <exception cref="InvalidOperationException">The DMA domain could not be set up, or a thread failed.</exception>
    public static ThreadScaling MeasureScaling(DriverMachine machine, DeviceNode device, DmaMapBenchmarkOptions options, TimeSpan slice)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        if (options.Threads < 2)
        {
            throw new ArgumentException("a scaling measurement needs at least 2 threads", nameof(options));
        }

        if (slice <= TimeSpan.Zero || slice > options.Duration)
        {
            throw new ArgumentOutOfRangeException(nameof(slice), slice, "the slice must be positive and at most the duration");
        }

        var dma = SetUp(machine, device, options);
        var dmaDevice = dma.AddDevice(new DmaDeviceOptions { Name = device.Name, DmaMask = options.DmaMask });
        var pairs = (int)Math.Max(1, options.Duration.Ticks / (2 * slice.Ticks));
        var threads = new WorkerThreads(options.Threads, machine.Memory, dma, dmaDevice, options);
        try
        {
            var measured = new List<(double, double)>(pairs);
            var sliceTicks = (long)(slice.TotalSeconds * Stopwatch.Frequency);
            for (var p = 0; p <= pairs; p++)
            {
                // Alternate the order, so a drift in the host's speed does not favour one side.
                var oneFirst = p % 2 == 0;
                var first = LoopsPerSecond(threads, oneFirst ? 1 : options.Threads, sliceTicks);
                var second = LoopsPerSecond(threads, oneFirst ? options.Threads : 1, sliceTicks);
                if (p > 0)
                {
                    measured.Add(oneFirst ? (first, second) : (second, first));
                }
            }

            return new ThreadScaling { Threads = options.Threads, Slice = slice, Pairs = measured };
        }
        finally
        {
            threads.Dispose();
            dma.Close(flushQueued: true);
        }
    }

    /// <summary>One slice of the first <paramref name="count"/> threads: their map+unmap loops per second of it.</summary>
    private static double LoopsPerSecond(WorkerThreads threads, int count, long ticks)
    {
        var before = threads.Loops(count);
        var seconds = threads.Run(count, ticks).TotalSeconds;
        if (threads.Failure is { } failure)
        {
            throw new InvalidOperationException($"a benchmark thread failed: {failure.Message}", failure);
        }

        return seconds <= 0 ? 0 : (threads.Loops(count) - before) / seconds;
    }
}
