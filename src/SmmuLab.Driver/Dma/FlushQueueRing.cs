namespace SmmuLab.Driver.Dma;

/// <summary>
/// One ring of a flush queue (Linux <c>struct iova_fq</c>): entries between head and tail in the
/// order they were queued, so in ascending flush counter; full when tail + 1 would reach head,
/// hence at most Size − 1 entries. The owner holds <see cref="Gate"/> for every operation.
/// </summary>
internal sealed class FlushQueueRing
{
    private readonly Entry[] entries;
    private readonly int mask;
    private int head;
    private int tail;

    public FlushQueueRing(int size)
    {
        entries = new Entry[size];
        mask = size - 1;
    }

    public Lock Gate { get; } = new();

    public bool IsFull => ((tail + 1) & mask) == head;

    public int Count => (tail - head) & mask;

    /// <summary>Appends an entry stamped with the flush start count read now (the ring must not be full).</summary>
    public void Add(ulong pfn, ulong pages, long counter, IReadOnlyList<(ulong Address, ulong Bytes)>? freelist)
    {
        entries[tail] = new Entry(pfn, pages, counter, freelist);
        tail = (tail + 1) & mask;
    }

    /// <summary>
    /// Frees, from the head, every entry whose counter is below <paramref name="finished"/> (a
    /// flush that started after it was queued has finished), stopping at the first that is not
    /// (<c>fq_ring_free_locked</c>). Returns the entries freed.
    /// </summary>
    public int FreeCovered(long finished, int cpu, IFlushQueueOwner owner)
    {
        var n = 0;
        while (head != tail && entries[head].Counter < finished)
        {
            ref var e = ref entries[head];
            if (e.Freelist is { Count: > 0 } pages)
            {
                owner.FreePages(pages);
            }

            owner.FreeIova(cpu, e.Pfn, e.Pages);
            e = default;
            head = (head + 1) & mask;
            n++;
        }

        return n;
    }

    /// <summary>Drops every entry, freeing only its page-table pages (<c>iommu_dma_free_fq</c>). Returns the entries dropped.</summary>
    public int Discard(IFlushQueueOwner owner)
    {
        var n = 0;
        while (head != tail)
        {
            if (entries[head].Freelist is { Count: > 0 } pages)
            {
                owner.FreePages(pages);
            }

            entries[head] = default;
            head = (head + 1) & mask;
            n++;
        }

        return n;
    }

    private readonly record struct Entry(ulong Pfn, ulong Pages, long Counter, IReadOnlyList<(ulong Address, ulong Bytes)>? Freelist);
}
