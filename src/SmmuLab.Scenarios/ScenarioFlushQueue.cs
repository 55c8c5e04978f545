using SmmuLab.Driver.Dma;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Scenarios;

/// <summary>
/// The flush queue of a lazy domain's unmap steps. A scenario's map and unmap steps name their own
/// IOVAs, so no IOVA allocator sits behind them: the driver's <see cref="FlushQueue"/> runs as for
/// iommu-dma (per-CPU rings of 256 entries, flushed by a whole-domain invalidation when a ring is
/// full or 10 ms after the first entry), and a queued range stays unusable, as an IOVA not yet
/// freed is, until a flush that covers it completed.
/// </summary>
internal sealed class ScenarioFlushQueue : IFlushQueueOwner, IDisposable
{
    private readonly PagingDomain domain;
    private readonly IDmaAllocator allocator;
    private readonly Func<IDmaMappingListener?> listener;
    private readonly List<(ulong Pfn, ulong Pages)> queued = [];
    private readonly FlushQueue queue;

    public ScenarioFlushQueue(PagingDomain domain, IDmaAllocator allocator, IDmaClock clock, Func<IDmaMappingListener?> listener)
    {
        this.domain = domain;
        this.allocator = allocator;
        this.listener = listener;
        queue = new FlushQueue(FlushQueueOptions.PerCpu, 1, clock, this);
    }

    public FlushQueue Queue => queue;

    /// <summary>The queued range that overlaps [iova, iova + size), if any.</summary>
    public (ulong Iova, ulong Size)? Overlap(ulong iova, ulong size)
    {
        var first = iova >> PageShift;
        var last = (iova + size - 1) >> PageShift;
        lock (queued)
        {
            foreach (var (pfn, pages) in queued)
            {
                if (pfn <= last && first <= pfn + pages - 1)
                {
                    return (pfn << PageShift, pages << PageShift);
                }
            }
        }

        return null;
    }

    /// <summary>Unmaps without leaf invalidation, tells the listener, and queues the range.</summary>
    public void Unmap(ulong iova, ulong size)
    {
        domain.UnmapDeferred(iova, size, out var freelist);
        listener()?.UnmappedDeferred(iova, size);
        lock (queued)
        {
            queued.Add((iova >> PageShift, size >> PageShift));
        }

        queue.Enqueue(0, iova >> PageShift, size >> PageShift, freelist);
    }

    void IFlushQueueOwner.FlushIotlbAll()
    {
        var l = listener();
        var ticket = l?.FlushStarting() ?? 0;
        domain.FlushAll();
        l?.FlushFinished(ticket);
    }

    void IFlushQueueOwner.FreeIova(int cpu, ulong pfn, ulong pages)
    {
        lock (queued)
        {
            queued.Remove((pfn, pages));
        }
    }

    void IFlushQueueOwner.FreePages(IReadOnlyList<(ulong Address, ulong Bytes)> pages)
    {
        foreach (var (address, bytes) in pages)
        {
            allocator.Free(address, bytes);
        }
    }

    /// <summary>Stops the timer; queued page-table pages are freed, as at Linux's teardown.</summary>
    public void Dispose() => queue.Teardown(flush: false);

    private const int PageShift = 12;
}
