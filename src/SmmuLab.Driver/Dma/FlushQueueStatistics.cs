namespace SmmuLab.Driver.Dma;

/// <summary>Counters of a <see cref="FlushQueue"/>, updated with interlocked operations.</summary>
public sealed class FlushQueueStatistics
{
    internal long fullFlushes;
    internal long timeoutFlushes;
    internal long teardownFlushes;
    internal long queued;
    internal long freed;
    internal long discarded;

    /// <summary>Flushes because a ring was full.</summary>
    public long FullFlushes => Interlocked.Read(ref fullFlushes);

    /// <summary>Flushes by the timer.</summary>
    public long TimeoutFlushes => Interlocked.Read(ref timeoutFlushes);

    /// <summary>Final flushes at teardown.</summary>
    public long TeardownFlushes => Interlocked.Read(ref teardownFlushes);

    /// <summary>All flushes.</summary>
    public long Flushes => FullFlushes + TimeoutFlushes + TeardownFlushes;

    /// <summary>Entries queued (deferred unmaps).</summary>
    public long EntriesQueued => Interlocked.Read(ref queued);

    /// <summary>Entries whose IOVA was freed after a covering flush.</summary>
    public long EntriesFreed => Interlocked.Read(ref freed);

    /// <summary>Entries dropped at teardown without a flush (their IOVAs go away with the IOVA domain).</summary>
    public long EntriesDiscarded => Interlocked.Read(ref discarded);

    /// <summary>Entries in the rings now.</summary>
    public long Depth => EntriesQueued - EntriesFreed - EntriesDiscarded;

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
