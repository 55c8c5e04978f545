using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.PageTables;

/// <summary>
/// Leaf invalidations collected during an unmap, issued as one ranged invalidation when the owner
/// syncs (the kernel's <c>iommu_iotlb_gather</c>). The gathered range is contiguous and made of pages
/// of one size: a page that is disjoint from the range (neither overlapping nor adjacent) or of
/// another size cannot be merged, so the gather must be synced before it is added.
/// </summary>
/// <remarks>
/// Typical use, one gather per unmap: the flush ops call <see cref="AddPage"/> for every cleared
/// leaf, and after <see cref="IoPageTable.Unmap"/> returns the owner calls <see cref="Sync"/>.
/// The sync callback issues the invalidation for [<see cref="Start"/>, <see cref="End"/>] with
/// granule <see cref="PageSize"/> and LEAF = 1, waits for it, and may release
/// <see cref="Freelist"/>; the gather then resets itself. Adding pages does not allocate.
/// Not thread-safe: a gather belongs to one unmap.
/// </remarks>
public sealed class IotlbGather
{
    private readonly Action<IotlbGather>? sync;
    private List<(ulong Address, ulong Bytes)>? freelist;

    /// <summary>A gather whose <see cref="Sync"/> (and implicit syncs in <see cref="AddPage"/>) call <paramref name="sync"/>.</summary>
    public IotlbGather(Action<IotlbGather>? sync = null)
    {
        this.sync = sync;
        Reset();
    }

    /// <summary>Lowest gathered IOVA; <see cref="ulong.MaxValue"/> when empty.</summary>
    public ulong Start { get; private set; }

    /// <summary>Highest gathered IOVA, inclusive; 0 when empty.</summary>
    public ulong End { get; private set; }

    /// <summary>Size of every gathered page (the invalidation granule); 0 when empty.</summary>
    public ulong PageSize { get; private set; }

    /// <summary>Bytes covered, End - Start + 1, or 0 when empty.</summary>
    public ulong Size => IsEmpty ? 0 : End - Start + 1;

    /// <summary>True when no page has been gathered since the last reset.</summary>
    public bool IsEmpty => PageSize == 0;

    /// <summary>
    /// The unmap is deferred to a flush queue (non-strict mode): the page tables then add no leaf
    /// pages, since the queue flushes the whole context later (Linux <c>iommu_iotlb_gather_queued</c>).
    /// </summary>
    public bool Queued { get; set; }

    /// <summary>How many times <see cref="Sync"/> ran the callback.</summary>
    public int Syncs { get; private set; }

    /// <summary>Table pages to free once the invalidation has completed, in the order they were deferred.</summary>
    public IReadOnlyList<(ulong Address, ulong Bytes)> Freelist =>
        (IReadOnlyList<(ulong Address, ulong Bytes)>?)freelist ?? [];

    /// <summary>
    /// True when the range [<paramref name="iova"/>, +<paramref name="size"/>) is neither inside,
    /// overlapping nor adjacent to the gathered range. Always false for an empty gather.
    /// </summary>
    public bool IsDisjoint(ulong iova, ulong size)
    {
        if (IsEmpty)
        {
            return false;
        }

        var last = iova + size - 1;
        return (last < ulong.MaxValue && last + 1 < Start) || (End < ulong.MaxValue && iova > End + 1);
    }

    /// <summary>True when the gather must be synced before a page of <paramref name="size"/> at <paramref name="iova"/> can be added.</summary>
    public bool NeedsSyncBeforeAdding(ulong iova, ulong size) =>
        (PageSize != 0 && PageSize != size) || IsDisjoint(iova, size);

    /// <summary>
    /// Extends the range by one page and records its size. The caller has synced first when
    /// <see cref="NeedsSyncBeforeAdding"/> said so; adding a page that cannot merge throws.
    /// </summary>
    public void Add(ulong iova, ulong size)
    {
        if (size == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "a gathered page has a size");
        }

        if (NeedsSyncBeforeAdding(iova, size))
        {
            throw new InvalidOperationException(
                $"page 0x{iova:X}+0x{size:X} cannot merge into the gather [0x{Start:X}, 0x{End:X}] of 0x{PageSize:X} pages: sync first");
        }

        var last = iova + size - 1;
        Start = Math.Min(Start, iova);
        End = Math.Max(End, last);
        PageSize = size;
    }

    /// <summary>Syncs through the callback when the page cannot merge, then adds it.</summary>
    public void AddPage(ulong iova, ulong size)
    {
        if (NeedsSyncBeforeAdding(iova, size))
        {
            Sync();
        }

        Add(iova, size);
    }

    /// <summary>Defers freeing a table page until after the next sync.</summary>
    public void DeferFree(ulong address, ulong bytes)
    {
        freelist ??= [];
        freelist.Add((address, bytes));
    }

    /// <summary>Frees every deferred table page with <paramref name="allocator"/> and empties the freelist.</summary>
    public void ReleaseFreelist(IDmaAllocator allocator)
    {
        if (freelist is null)
        {
            return;
        }

        foreach (var (address, bytes) in freelist)
        {
            allocator.Free(address, bytes);
        }

        freelist.Clear();
    }

    /// <summary>
    /// Runs the sync callback when anything was gathered or deferred, then resets. Throws when
    /// there is something to sync and no callback.
    /// </summary>
    public void Sync()
    {
        if (!IsEmpty || freelist is { Count: > 0 })
        {
            if (sync is null)
            {
                throw new InvalidOperationException("this gather has no sync callback; the owner must sync it");
            }

            Syncs++;
            sync(this);
        }

        Reset();
    }

    /// <summary>Empties the gather (the range, page size and freelist); <see cref="Queued"/> is kept.</summary>
    public void Reset()
    {
        Start = ulong.MaxValue;
        End = 0;
        PageSize = 0;
        freelist?.Clear();
    }
}
