namespace SmmuLab.Verification;

/// <summary>
/// What the oracle knows of one domain: its live mappings (IOVA page to PA page) and its dead
/// ones (IOVA page and PA page to the unmap that killed them). Pages are 4 KiB page numbers, kept
/// as extents: a mapping's PA page is its IOVA page plus the mapping's offset (PA page - IOVA page,
/// modulo 2^64), constant over the mapping, so live mappings are extents of IOVA pages valued by
/// offset, and dead ones extents of IOVA pages per offset valued by the kill. A lazy domain's
/// deferred unmaps sit between the two: extents per offset valued by the sequence number of the
/// unmap, until a whole-domain flush that started after them kills them.
/// </summary>
internal sealed partial class OracleDomainState(string name, OracleDomainKind kind, LiveMappingTable? liveMappings = null)
{
    private readonly PageExtentMap<LiveMapping> live = new();
    private readonly Dictionary<ulong, PageExtentMap<OracleKill>> dead = [];
    private readonly Dictionary<ulong, PageExtentMap<long>> deferred = [];

    /// <summary>The extents an unmap took out of <see cref="live"/> (the oracle's lock is held: one list serves every unmap).</summary>
    private readonly List<(ulong First, ulong Last, LiveMapping Mapping)> removedScratch = [];

    public string Name { get; } = name;

    public OracleDomainKind Kind { get; } = kind;

    /// <summary>Whether this domain now translates IOVA page <paramref name="iovaPage"/> to PA page <paramref name="paPage"/>.</summary>
    public bool Maps(ulong iovaPage, ulong paPage) => Kind switch
    {
        OracleDomainKind.Identity => iovaPage == paPage,
        OracleDomainKind.Paging => live.TryFind(iovaPage, out var mapping) && iovaPage + mapping.Offset == paPage,
        OracleDomainKind.Nested => MapsNested(iovaPage, paPage),
        _ => false,
    };

    /// <summary>IOVA pages [first, last] now map to PA pages from <paramref name="firstPa"/> on; a mapping it replaces ends.</summary>
    public LiveMapping Map(ulong first, ulong last, ulong firstPa)
    {
        TakeLive(first, last);
        var mapping = new LiveMapping(first, last, firstPa - first, liveMappings?.NextId() ?? 0);
        live.Set(first, last, mapping);
        liveMappings?.Add(mapping.Id);
        return mapping;
    }

    /// <summary>The live mapping of <paramref name="iovaPage"/>, if any.</summary>
    public bool TryFindLive(ulong iovaPage, out LiveMapping mapping) => live.TryFind(iovaPage, out mapping);

    /// <summary>The live mappings of IOVA pages [first, last] die, killed by <paramref name="kill"/>.</summary>
    public void Unmap(ulong first, ulong last, OracleKill kill)
    {
        foreach (var (from, to, mapping) in TakeLive(first, last))
        {
            ExtentsFor(dead, mapping.Offset).Set(from, to, kill);
        }
    }

    /// <summary>
    /// The live mappings of IOVA pages [first, last] are cleared without invalidation (a lazy
    /// unmap, numbered <paramref name="sequence"/>): their cached copies may still be used.
    /// </summary>
    public void UnmapDeferred(ulong first, ulong last, long sequence)
    {
        foreach (var (from, to, mapping) in TakeLive(first, last))
        {
            ExtentsFor(deferred, mapping.Offset).Set(from, to, sequence);
        }
    }

    /// <summary>A whole-domain flush that started at <paramref name="ticket"/> completed: the deferred unmaps numbered below it die.</summary>
    public void CloseDeferred(long ticket, OracleKill kill)
    {
        var removed = new List<(ulong First, ulong Last, long Sequence)>();
        foreach (var (offset, extents) in deferred)
        {
            removed.Clear();
            extents.RemoveWhere(sequence => sequence < ticket, removed);
            foreach (var (from, to, _) in removed)
            {
                ExtentsFor(dead, offset).Set(from, to, kill);
            }
        }
    }

    /// <summary>Whether IOVA page <paramref name="iovaPage"/> to PA page <paramref name="paPage"/> was unmapped lazily and not yet flushed.</summary>
    public bool IsDeferred(ulong iovaPage, ulong paPage) =>
        deferred.TryGetValue(paPage - iovaPage, out var extents) && extents.TryFind(iovaPage, out _);

    /// <summary>The unmap that last killed the mapping of IOVA page <paramref name="iovaPage"/> to PA page <paramref name="paPage"/>.</summary>
    public bool TryGetDead(ulong iovaPage, ulong paPage, out OracleKill kill)
    {
        if (Kind == OracleDomainKind.Nested)
        {
            return TryGetDeadNested(iovaPage, paPage, out kill);
        }

        if (dead.TryGetValue(paPage - iovaPage, out var extents) && extents.TryFind(iovaPage, out kill))
        {
            return true;
        }

        kill = default;
        return false;
    }

    /// <summary>
    /// Takes IOVA pages [first, last] out of the live extents; each mapping they belonged to ends
    /// (<see cref="LiveMappingTable"/>), all under the oracle's lock. Returns the parts taken (the
    /// scratch list, valid until the next call).
    /// </summary>
    private List<(ulong First, ulong Last, LiveMapping Mapping)> TakeLive(ulong first, ulong last)
    {
        var taken = removedScratch;
        taken.Clear();
        live.Remove(first, last, taken);
        foreach (var (_, _, mapping) in taken)
        {
            liveMappings?.End(mapping.Id);
        }

        return taken;
    }

    private static PageExtentMap<T> ExtentsFor<T>(Dictionary<ulong, PageExtentMap<T>> byOffset, ulong offset)
    {
        if (!byOffset.TryGetValue(offset, out var extents))
        {
            extents = new PageExtentMap<T>();
            byOffset.Add(offset, extents);
        }

        return extents;
    }
}
