using System.Diagnostics;
using SmmuLab.Driver.Dma;
using SmmuLab.Hardware.Memory;

namespace SmmuLab.Machines.Bench;

/// <summary>The benchmark's OS threads, thread i being CPU i.</summary>
public static partial class DmaMapBenchmark
{
    /// <summary>
    /// N benchmark threads, each with its <see cref="Worker"/>, that run a slice when told: the
    /// first k of them loop until a deadline. <see cref="DmaMapBenchmark.Run(DriverMachine, DeviceNode, DmaMapBenchmarkOptions)"/>
    /// runs one slice of all N; <see cref="MeasureScaling"/> alternates slices of 1 and N.
    /// </summary>
    private sealed class WorkerThreads : IDisposable
    {
        private readonly Worker[] workers;
        private readonly Thread[] threads;
        private readonly SemaphoreSlim[] starts;
        private readonly CountdownEvent done;
        private long deadline;
        private bool stopping;

        public WorkerThreads(int count, SparsePhysicalMemory memory, IommuDma dma, DmaDevice device, DmaMapBenchmarkOptions options)
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

            // Each thread has built its worker.
            done.Wait();
        }

        /// <summary>Every thread's worker: its running sums (read them between slices).</summary>
        public IReadOnlyList<Worker> Workers => workers;

        /// <summary>The first failure of any thread, or null.</summary>
        public Exception? Failure => workers.FirstOrDefault(w => w.Failure is not null)?.Failure;

        /// <summary>Map+unmap loops so far of threads 0..<paramref name="count"/>.</summary>
        public long Loops(int count) => workers.Take(count).Sum(w => w.Map.Count);

        /// <summary>Lets threads 0..<paramref name="count"/> loop for <paramref name="ticks"/>; returns the wall time until the last stopped.</summary>
        public TimeSpan Run(int count, long ticks)
        {
            done.Reset(count);
            var start = Stopwatch.GetTimestamp();

            // Written before the releases, read after the waits: the semaphores order it.
            deadline = start + ticks;
            for (var i = 0; i < count; i++)
            {
                starts[i].Release();
            }

            done.Wait();
            return Stopwatch.GetElapsedTime(start);
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

        private void Serve(int cpu, SparsePhysicalMemory memory, IommuDma dma, DmaDevice device, DmaMapBenchmarkOptions options)
        {
            // Built on its own thread, so from that thread's allocation context: the running sums
            // each loop writes never share a cache line with another thread's.
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
