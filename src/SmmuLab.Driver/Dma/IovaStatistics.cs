namespace SmmuLab.Driver.Dma;

/// <summary>
/// Counters of an <see cref="IovaAllocator"/>. Updated with interlocked operations, the four that
/// every allocation and free touch in a per-CPU block (<see cref="PerCpuCounters"/>); a read is a
/// consistent value per counter, not across counters.
/// </summary>
public sealed class IovaStatistics
{
    internal const int AllocationsCounter = 0;
    internal const int RcacheHitsCounter = 1;
    internal const int FreesCounter = 2;
    internal const int RcacheInsertsCounter = 3;

    private readonly PerCpuCounters perCpu;
    internal long treeAllocations;
    internal long treeFailures;
    internal long fastFailures;
    internal long rcacheFlushes;
    internal long treeFrees;
    internal long depotPushes;
    internal long depotTrims;
    internal long cachedFramesReturned;

    internal IovaStatistics(int cpus) => perCpu = new PerCpuCounters(cpus);

    /// <summary>Fast-path allocation requests (<c>alloc_iova_fast</c> calls).</summary>
    public long Allocations => perCpu.Sum(AllocationsCounter);

    /// <summary>Requests served from the range cache.</summary>
    public long RcacheHits => perCpu.Sum(RcacheHitsCounter);

    /// <summary>Ranges inserted into the tree by the top-down search (fast path and <c>alloc_iova</c>).</summary>
    public long TreeAllocations => Interlocked.Read(ref treeAllocations);

    /// <summary>Tree searches that found no room (including fast failures).</summary>
    public long TreeFailures => Interlocked.Read(ref treeFailures);

    /// <summary>Tree searches refused at once because an earlier failure below 4 GiB was at most this size (<c>max32_alloc_size</c>).</summary>
    public long FastFailures => Interlocked.Read(ref fastFailures);

    /// <summary>Times every CPU's cache and the depots were returned to the tree to retry a failed allocation.</summary>
    public long RcacheFlushes => Interlocked.Read(ref rcacheFlushes);

    /// <summary>Fast-path frees (<c>free_iova_fast</c> calls).</summary>
    public long Frees => perCpu.Sum(FreesCounter);

    /// <summary>Frees kept in the range cache.</summary>
    public long RcacheInserts => perCpu.Sum(RcacheInsertsCounter);

    /// <summary>Ranges removed from the tree by a free (a fast-path free the cache did not take, or <c>free_iova</c>).</summary>
    public long TreeFrees => Interlocked.Read(ref treeFrees);

    /// <summary>Full magazines moved to a depot.</summary>
    public long DepotPushes => Interlocked.Read(ref depotPushes);

    /// <summary>Depot magazines returned to the tree by the delayed trim.</summary>
    public long DepotTrims => Interlocked.Read(ref depotTrims);

    /// <summary>Cached frames returned to the tree (CPU cache flushes, depot flushes and trims).</summary>
    public long CachedFramesReturned => Interlocked.Read(ref cachedFramesReturned);

    /// <summary>Counts one <paramref name="counter"/> event on <paramref name="cpu"/>.</summary>
    internal void Count(int cpu, int counter) => perCpu.Add(cpu, counter);
}
