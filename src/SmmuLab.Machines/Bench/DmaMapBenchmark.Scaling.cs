using System.Diagnostics;
using SmmuLab.Driver.Dma;
using SmmuLab.Hardware.Memory;

namespace SmmuLab.Machines.Bench;

/// <summary>The thread-scaling measurement: one-thread and N-thread slices alternating on the same threads.</summary>
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
        var slices = new SliceRunner(options.Threads, machine.Memory, dma, dmaDevice, options);
        try
        {
            var measured = new List<(double, double)>(pairs);
            var sliceTicks = (long)(slice.TotalSeconds * Stopwatch.Frequency);
            for (var p = 0; p <= pairs; p++)
            {
                // Alternate the order, so a drift in the host's speed does not favour one side.
                var oneFirst = p % 2 == 0;
                var first = slices.Run(oneFirst ? 1 : options.Threads, sliceTicks);
                var second = slices.Run(oneFirst ? options.Threads : 1, sliceTicks);
                if (p > 0)
                {
                    measured.Add(oneFirst ? (first, second) : (second, first));
                }
            }

            return new ThreadScaling { Threads = options.Threads, Slice = slice, Pairs = measured };
        }
        finally
        {
            slices.Dispose();
            dma.Close(flushQueued: true);
        }
    }

    /// <summary>N benchmark threads that run a slice when told: the first k of them, until a deadline.</summary>
    private sealed class SliceRunner : IDisposable
    {
        private readonly Worker[] workers;
        private readonly Thread[] threads;
        private readonly SemaphoreSlim[] starts;
        private readonly CountdownEvent done;
        private long deadline;
        private bool stopping;

        public SliceRunner(int count, SparsePhysicalMemory memory, IommuDma dma, DmaDevice device, DmaMapBenchmarkOptions options)
        {
            workers = new Worker[count];
            threads = new Thread[count];
            starts = [.. Enumerable.Range(0, count).Select(_ => new SemaphoreSlim(0))];
            done = new CountdownEvent(count);
            for (var cpu = 0; cpu < count; cpu++)
            {
                var index = cpu;
                threads[cpu] = new Thread(() => Serve(index, memory, dma, device, options), maxStackSize: 1 << 20)
                {
                    IsBackground = true,
                    Name = $"dma-map-benchmark/{cpu}",
                };
                threads[cpu].Start();
            }

            // Each thread has built its worker (on its own thread, as Run's threads do).
            done.Wait();
        }

        /// <summary>Runs threads 0..<paramref name="count"/> for <paramref name="ticks"/> and returns their loops per second.</summary>
        public double Run(int count, long ticks)
        {
            done.Reset(count);
            var before = Loops(count);
            var start = Stopwatch.GetTimestamp();

            // Written before the releases, read after the waits: the semaphores order it.
            deadline = start + ticks;
            for (var i = 0; i < count; i++)
            {
                starts[i].Release();
            }

            done.Wait();
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (workers.FirstOrDefault(w => w.Failure is not null)?.Failure is { } failure)
            {
                throw new InvalidOperationException($"a benchmark thread failed: {failure.Message}", failure);
            }

            return seconds <= 0 ? 0 : (Loops(count) - before) / seconds;
        }

        /// <summary>Stops the threads and waits for them.</summary>
        public void Dispose()
        {
            if (stopping)
            {
                return;
            }

            stopping = true;
            foreach (var s in starts)
            {
                s.Release();
            }

            foreach (var t in threads)
            {
                t.Join();
            }

            foreach (var s in starts)
            {
                s.Dispose();
            }

            done.Dispose();
        }

        private long Loops(int count) => workers.Take(count).Sum(w => w.Map.Count);

        private void Serve(int cpu, SparsePhysicalMemory memory, IommuDma dma, DmaDevice device, DmaMapBenchmarkOptions options)
        {
            var worker = workers[cpu] = new Worker(cpu, memory, dma, device, options);
            done.Signal();
            while (true)
            {
                starts[cpu].Wait();
                if (stopping)
                {
                    return;
                }

                worker.Loop(deadline);
                done.Signal();
            }
        }
    }
}
