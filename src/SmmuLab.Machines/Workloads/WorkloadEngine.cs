using System.Diagnostics;
using SmmuLab.Driver.Dma;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Machines.Bench;

namespace SmmuLab.Machines.Workloads;

/// <summary>
/// Runs a <see cref="WorkloadSpec"/> through a domain's DMA layer and a device: OS threads, thread
/// i being CPU i (<see cref="BenchCpu"/>), each doing its share of the buffers. Thread i's buffers
/// live at <c>bufferBase + i × BytesPerThread</c>, one batch of the largest size, reused for every
/// batch, so physical memory does not grow with the count; each thread allocates its arrays once
/// and nothing per buffer.
/// </summary>
/// <remarks>
/// Time: with a <see cref="ManualDmaClock"/> and a non-zero interval, thread i moves the clock to
/// <c>start + interval × (its buffers done)</c> after each buffer or batch (never backwards), firing
/// the flush queue's timeout on the thread that gets there first.
/// </remarks>
public static class WorkloadEngine
{
    /// <summary>Buffers between two progress reports of a thread.</summary>
    public const int ProgressStride = 1024;

    /// <summary>
    /// Runs the workload. <paramref name="progress"/>, when given, is called from the worker threads
    /// with the running total of buffers done (at least every <see cref="ProgressStride"/> buffers
    /// per thread); <paramref name="stop"/> stops every thread after its current buffer or batch.
    /// </summary>
    /// <exception cref="ArgumentException">The spec fails <see cref="WorkloadSpec.Problem"/>.</exception>
    public static WorkloadResult Run(IommuDma dma, DmaDevice device, Endpoint endpoint, WorkloadSpec spec, ulong bufferBase,
        CancellationToken stop = default, Action<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(dma);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(spec));
        }

        var clock = spec.Interval > TimeSpan.Zero ? dma.Clock as ManualDmaClock : null;
        var shared = new SharedProgress(progress);
        var workers = new WorkloadThread[spec.Threads];
        var start = clock?.Now ?? TimeSpan.Zero;
        for (var t = 0; t < workers.Length; t++)
        {
            var quota = (spec.Count / spec.Threads) + (t < spec.Count % spec.Threads ? 1 : 0);
            workers[t] = new WorkloadThread(t, quota, dma, device, endpoint, spec, bufferBase + ((ulong)t * spec.BytesPerThread), clock, start, shared, stop);
        }

        var watch = Stopwatch.StartNew();
        if (workers.Length == 1)
        {
            RunOn(workers[0]);
        }
        else
        {
            var threads = workers.Select(w => new Thread(() => RunOn(w), maxStackSize: 1 << 20) { IsBackground = true, Name = $"workload cpu{w.Cpu}" }).ToArray();
            foreach (var thread in threads)
            {
                thread.Start();
            }

            foreach (var thread in threads)
            {
                thread.Join();
            }
        }

        watch.Stop();
        if (workers.FirstOrDefault(w => w.Failure is not null)?.Failure is { } failure)
        {
            throw new InvalidOperationException($"workload thread on CPU {workers.First(w => w.Failure is not null).Cpu} failed: {failure.Message}", failure);
        }

        var buffers = workers.Sum(w => w.Buffers);
        return new WorkloadResult
        {
            Buffers = buffers,
            MapCalls = workers.Sum(w => w.MapCalls),
            UnmapCalls = workers.Sum(w => w.UnmapCalls),
            MapFailures = workers.Sum(w => w.MapFailures),
            DmaFaults = workers.Sum(w => w.DmaFaults),
            FirstFault = workers.Select(w => w.FirstFault).FirstOrDefault(f => f is not null),
            BytesTransferred = (ulong)workers.Sum(w => (decimal)w.BytesTransferred),
            Elapsed = watch.Elapsed,
            ModeledTime = clock is null ? TimeSpan.Zero : clock.Now - start,
            Stopped = workers.Sum(w => w.Attempted) < spec.Count,
        };
    }

    private static void RunOn(WorkloadThread worker)
    {
        var previous = BenchCpu.Current;
        BenchCpu.Set(worker.Cpu);
        try
        {
            worker.Run();
        }
        catch (Exception e)
        {
            worker.Failure = e;
        }
        finally
        {
            BenchCpu.Set(previous);
        }
    }

    /// <summary>The running total the threads report progress to.</summary>
    internal sealed class SharedProgress(Action<long>? report)
    {
        private long done;

        public void Add(long buffers)
        {
            var total = Interlocked.Add(ref done, buffers);
            report?.Invoke(total);
        }
    }
}
