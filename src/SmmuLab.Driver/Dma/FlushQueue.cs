using System.Numerics;

namespace SmmuLab.Driver.Dma;

/// <summary>
/// The deferred-invalidation queue of a lazy (DMA-FQ) domain (Linux dma-iommu.c <c>iova_fq</c>):
/// an unmap queues its IOVA instead of invalidating; the IOVA becomes reusable only after a
/// whole-domain flush that started after it was queued has finished. Two counters say which
/// flushes started and finished; each entry records the start count when it was queued.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="Enqueue"/>: frees what completed flushes already cover in the caller's ring
/// (or the single ring); if the ring is still full, flushes and frees again; appends; arms the
/// one-shot timer unless it is armed.</item>
/// <item>The timer: flushes and frees every ring. It is re-armed only by the next enqueue, so a
/// CPU that stops unmapping leaves its entries until the timer (at most one timeout later).</item>
/// <item>Frees made by an enqueue go to that CPU's range cache; frees made by the timer go to the
/// cache of the CPU that armed it (where a kernel timer runs by default).</item>
/// <item>Flushes from several CPUs may overlap; the counters keep every entry safe. But a ring that
/// fills while a flush older than its entries is still running stays full after its own flush,
/// and Linux then overwrites it (see <see cref="FlushQueueStatistics.Overruns"/>);
/// <see cref="FlushQueueOptions.FlushUntilRoom"/> models the fix.</item>
/// </list>
/// </remarks>
public sealed class FlushQueue : IDisposable
{
    private readonly FlushQueueRing[] rings;
    private readonly IFlushQueueOwner owner;
    private readonly IDmaClock clock;
    private readonly IDmaTimer timer;
    // fq_flush_start_cnt and fq_flush_finish_cnt (atomic64_t): written by a flush, read on every
    // lazy unmap with one 64-bit load (Volatile.Read), never a locked operation on the shared line.
    private long startCount;
    private long finishCount;
    private int timerOn;
    private int timerCpu;
    private int tornDown;

    /// <summary>Sets up the rings for <paramref name="cpuCount"/> CPUs (<c>iommu_dma_init_fq</c>); both counters start at 0.</summary>
    public FlushQueue(FlushQueueOptions options, int cpuCount, IDmaClock clock, IFlushQueueOwner owner)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Size < 2 || !BitOperations.IsPow2(options.Size))
        {
            throw new ArgumentException($"flush queue size {options.Size} is not a power of two of at least 2", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(cpuCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Timeout, TimeSpan.Zero);
        Options = options;
        CpuCount = cpuCount;
        Statistics = new FlushQueueStatistics(cpuCount);
        this.clock = clock;
        this.owner = owner;
        rings = new FlushQueueRing[options.Kind == FlushQueueKind.Single ? 1 : cpuCount];
        for (var i = 0; i < rings.Length; i++)
        {
            rings[i] = new FlushQueueRing(options.Size);
        }

        timer = clock.CreateTimer(OnTimeout);
    }

    public FlushQueueOptions Options { get; }

    public int CpuCount { get; }

    public FlushQueueStatistics Statistics { get; }

    /// <summary>Flushes started (<c>fq_flush_start_cnt</c>).</summary>
    public long FlushStartCount => Volatile.Read(ref startCount);

    /// <summary>Flushes finished (<c>fq_flush_finish_cnt</c>).</summary>
    public long FlushFinishCount => Volatile.Read(ref finishCount);

    /// <summary>True while the timer is armed (<c>fq_timer_on</c>).</summary>
    public bool TimerArmed => Volatile.Read(ref timerOn) != 0;

    /// <summary>Entries in every ring, counted under the ring locks.</summary>
    public int Depth
    {
        get
        {
            var n = 0;
            foreach (var r in rings)
            {
                lock (r.Gate)
                {
                    n += r.Count;
                }
            }

            return n;
        }
    }

    /// <summary>Entries in <paramref name="cpu"/>'s ring (the single ring for a single queue).</summary>
    public int DepthOn(int cpu)
    {
        var r = RingFor(cpu);
        lock (r.Gate)
        {
            return r.Count;
        }
    }

    /// <summary>
    /// Queues the IOVA range [<paramref name="pfn"/>, +<paramref name="pages"/>) and the page-table
    /// pages its unmap freed, from <paramref name="cpu"/> (<c>queue_iova</c>).
    /// </summary>
    public void Enqueue(int cpu, ulong pfn, ulong pages, IReadOnlyList<(ulong Address, ulong Bytes)>? freelist = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref tornDown) != 0, this);
        var ring = RingFor(cpu);

        // Orders the caller's page-table update before anything a flush on another CPU reads.
        Interlocked.MemoryBarrier();
        lock (ring.Gate)
        {
            Freed(cpu, ring.FreeCovered(Volatile.Read(ref finishCount), cpu, owner));
            if (ring.IsFull)
            {
                Flush(FlushCause.Full);
                Freed(cpu, ring.FreeCovered(Volatile.Read(ref finishCount), cpu, owner));
                while (ring.IsFull && Options.FlushUntilRoom)
                {
                    Flush(FlushCause.Full);
                    Freed(cpu, ring.FreeCovered(Volatile.Read(ref finishCount), cpu, owner));
                }

                if (ring.IsFull)
                {
                    // A flush that started before the ring's oldest entry is still running, so
                    // the finish count does not cover it yet. Linux appends anyway: the tail
                    // lands on the head, the ring reads as empty, and every entry in it (this
                    // one included) is lost: IOVAs never freed, page-table pages never released.
                    Interlocked.Increment(ref Statistics.overruns);
                    Interlocked.Add(ref Statistics.lost, ring.Count + 1);
                }
            }

            ring.Add(pfn, pages, Volatile.Read(ref startCount), freelist);
        }

        Statistics.CountQueued(cpu);
        if (Volatile.Read(ref timerOn) == 0 && Interlocked.Exchange(ref timerOn, 1) == 0)
        {
            Volatile.Write(ref timerCpu, cpu);
            timer.ArmAt(clock.Now + Options.Timeout);
        }
    }

    /// <summary>
    /// Stops the queue (<c>iommu_dma_free_fq</c>): cancels the timer and waits for a running one.
    /// Without <paramref name="flush"/>, as in Linux, the queued entries' page-table pages are freed
    /// and their IOVAs dropped (the IOVA domain is going away). With it, one final flush runs first
    /// and every IOVA is freed (for a domain that lives on).
    /// </summary>
    public void Teardown(bool flush)
    {
        if (Interlocked.Exchange(ref tornDown, 1) != 0)
        {
            return;
        }

        timer.Cancel();
        timer.Dispose();
        Volatile.Write(ref timerOn, 0);
        var any = false;
        foreach (var r in rings)
        {
            lock (r.Gate)
            {
                any |= r.Count > 0;
            }
        }

        if (flush && any)
        {
            Flush(FlushCause.Teardown);
        }

        for (var i = 0; i < rings.Length; i++)
        {
            var r = rings[i];
            lock (r.Gate)
            {
                if (flush)
                {
                    Freed(i, r.FreeCovered(Volatile.Read(ref finishCount), i, owner));
                }
                else
                {
                    Interlocked.Add(ref Statistics.discarded, r.Discard(owner));
                }
            }
        }
    }

    /// <summary>Linux teardown: no flush, queued IOVAs dropped.</summary>
    public void Dispose() => Teardown(flush: false);

    /// <summary>fq_flush_iotlb: start count + 1, the domain's flush, finish count + 1.</summary>
    private void Flush(FlushCause cause)
    {
        Interlocked.Increment(ref startCount);
        owner.FlushIotlbAll();
        Interlocked.Increment(ref finishCount);
        Statistics.CountFlush(cause);
    }

    /// <summary>fq_flush_timeout: disarm, flush, free every ring.</summary>
    private void OnTimeout()
    {
        Volatile.Write(ref timerOn, 0);
        if (Volatile.Read(ref tornDown) != 0)
        {
            return;
        }

        Flush(FlushCause.Timeout);
        var cpu = Volatile.Read(ref timerCpu);
        foreach (var r in rings)
        {
            lock (r.Gate)
            {
                Freed(cpu, r.FreeCovered(Volatile.Read(ref finishCount), cpu, owner));
            }
        }
    }

    private void Freed(int cpu, int n)
    {
        if (n != 0)
        {
            Statistics.CountFreed(cpu, n);
        }
    }

    private FlushQueueRing RingFor(int cpu)
    {
        if ((uint)cpu >= (uint)CpuCount)
        {
            throw new ArgumentOutOfRangeException(nameof(cpu), cpu, $"CPU numbers are 0..{CpuCount - 1}");
        }

        return rings.Length == 1 ? rings[0] : rings[cpu];
    }
}
