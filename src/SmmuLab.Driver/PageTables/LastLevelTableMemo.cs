namespace SmmuLab.Driver.PageTables;

/// <summary>
/// The last-level table one request found last, and the region of IOVA (one level-2 entry's span)
/// it serves: the next page of the same request in that region reads its slot directly instead of
/// walking from the start level (Linux's map_pages/unmap_pages stay in a table for the same
/// reason). Only tables reached through existing table descriptors are remembered, and a request
/// forgets it at any piece that is not a last-level page, the only pieces that add or remove tables.
/// </summary>
internal struct LastLevelTableMemo
{
    /// <summary>The remembered region (IOVA shifted by the level-2 shift); meaningful when <see cref="Table"/> is not 0.</summary>
    public ulong Region;

    /// <summary>PA of the remembered last-level table, or 0 for none.</summary>
    public ulong Table;

    public void Forget() => Table = 0;
}
