namespace SmmuLab.Driver.Dma;

/// <summary>
/// Counters of a <see cref="FlushQueue"/>, updated with interlocked operations; the entries queued
/// and freed, counted on every lazy unmap, in per-CPU blocks (<see cref="PerCpuCounters"/>).
/// </summary>
public sealed class FlushQueueStatistics
{
    private const int QueuedCounter = 0;
    private const int FreedCounter = 1;

    private readonly PerCpuCounters perCpu;

    internal long fullFlushes;
    internal long timeoutFlushes;
    internal long teardownFlushes;
    internal long discarded;
    internal long overruns;
    internal long lost;

    internal FlushQueueStatistics(int cpus) => perCpu = new PerCpuCounters(cpus);

    /// <summary>Flushes because a ring was full.</summary>
    public long FullFlushes => Interlocked.Read(ref fullFlushes);

    /// <summary>Flushes by the timer.</summary>
    public long TimeoutFlushes => Interlocked.Read(ref timeoutFlushes);

    /// <summary>Final flushes at teardown.</summary>
    public long TeardownFlushes => Interlocked.Read(ref teardownFlushes);

    /// <summary>All flushes.</summary>
    public long Flushes => FullFlushes + TimeoutFlushes + TeardownFlushes;

    /// <summary>Entries queued (deferred unmaps).</summary>
    public long EntriesQueued => perCpu.Sum(QueuedCounter);

    /// <summary>Entries whose IOVA was freed after a covering flush.</summary>
    public long EntriesFreed => perCpu.Sum(FreedCounter);

    /// <summary>Entries dropped at teardown without a flush (their IOVAs go away with the IOVA domain).</summary>
    public long EntriesDiscarded => Interlocked.Read(ref discarded);

    /// <summary>
    /// Enqueues that found their ring still full after its flush (an older flush still running)
    /// and, as Linux does, appended anyway, wrapping the ring to empty.
    /// </summary>
    public long Overruns => Interlocked.Read(ref overruns);

    /// <summary>Entries lost by overruns: their IOVAs stay allocated and their page-table pages are never freed.</summary>
    public long EntriesLost => Interlocked.Read(ref lost);

    /// <summary>Entries in the rings now.</summary>
    public long Depth => EntriesQueued - EntriesFreed - EntriesDiscarded - EntriesLost;

    internal void CountQueued(int cpu) => perCpu.Add(cpu, QueuedCounter);

    internal void CountFreed(int cpu, int entries) => perCpu.Add(cpu, FreedCounter, entries);

    internal void CountFlush(FlushCause cause)
    {
        switch (cause)
        {
            case FlushCause.Full:
                Interlocked.Increment(ref fullFlushes);
                break;
            case FlushCause.Timeout:
                Interlocked.Increment(ref timeoutFlushes);
                break;
            default:
                Interlocked.Increment(ref teardownFlushes);
                break;
        }
    }
}
