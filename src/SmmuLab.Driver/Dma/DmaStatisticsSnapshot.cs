namespace SmmuLab.Driver.Dma;

/// <summary>
/// The numbers a benchmark or report shows for one DMA domain, read at one moment (each counter is
/// exact; counters changed by concurrent calls may be from slightly different moments).
/// </summary>
public sealed record DmaStatisticsSnapshot(
    DmaDomainType Type,
    long Maps,
    long Unmaps,
    long MapFailures,
    long UnmapWarnings,
    long IommuMaps,
    long StrictUnmaps,
    long DeferredUnmaps,
    long IovaAllocations,
    long RcacheHits,
    long TreeAllocations,
    long TreeFailures,
    long RcacheFlushes,
    long DepotTrims,
    long FullFlushes,
    long TimeoutFlushes,
    long TeardownFlushes,
    long EntriesQueued,
    long EntriesFreed,
    long EntriesDiscarded,
    long RingOverruns,
    long EntriesLost,
    long QueueDepth)
{
    /// <summary>All flush-queue flushes.</summary>
    public long Flushes => FullFlushes + TimeoutFlushes + TeardownFlushes;

    /// <summary>Share of IOVA allocations served by the range cache (0 when none).</summary>
    public double RcacheHitRate => IovaAllocations == 0 ? 0 : (double)RcacheHits / IovaAllocations;
}
