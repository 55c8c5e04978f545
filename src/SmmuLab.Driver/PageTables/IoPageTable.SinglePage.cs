using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.PageTables;

/// <summary>
/// One-granule map and unmap in a single walk: the common DMA case (a 4 KiB buffer) where every
/// table on the way exists. Anything else (a missing table, a block, a leaf already there or
/// missing) returns false untouched, and the general path, which checks the whole request before
/// writing, handles it and produces its errors.
/// </summary>
/// <remarks>
/// The <c>Unlocked</c> pair may run on several CPUs at once, and beside the owner's serialised
/// general path, as io-pgtable-arm's map and unmap run under no lock. What makes that safe is the
/// DMA API's ownership of IOVAs: a caller maps or unmaps only a range that is its own, so no two
/// callers write the same leaf, and a table is only ever removed by an unmap or a block map that
/// covers all of it, which no other caller's IOVA can be inside. The leaf is changed with one
/// compare-and-swap, so a caller that breaks the rule (two maps of one IOVA) loses the race and
/// takes the general path, which refuses it. A new table is zeroed before the descriptor that
/// links it is stored (both under the owner's lock), and descriptors are read with acquire
/// semantics, so an unlocked walk that sees the link sees an empty table.
/// </remarks>
internal sealed partial class IoPageTable
{
    /// <summary>
    /// Maps one granule at <paramref name="iova"/> without the owner's lock when every table above
    /// it exists and its slot is empty; false (nothing written) otherwise. The request is checked
    /// as <see cref="Map"/> checks it (and refused the same way).
    /// </summary>
    /// <exception cref="IoPageTableException">The request was refused; nothing changed.</exception>
    public bool TryMapPageUnlocked(ulong iova, ulong pa, IommuProt prot)
    {
        var walk = tables.Begin();
        ThrowIfDisposed();
        CheckMapRequest(iova, pa, GranuleBytes, prot);
        if (!TryFindLastLevelSlot(walk, iova, out var slot))
        {
            return false;
        }

        var leaf = PteAttributes.Leaf(prot, Config) | Descriptor.EncodeAddress(pa, granule) | Descriptor.TypePage;
        if (Fault == IoPageTableFault.UncheckedLeafWrite)
        {
            if (IsValid(walk.Read(slot, 3)))
            {
                return false;
            }

            waiter.At(OrderingPoint.PageTableLeaf);
            walk.Write(slot, 3, leaf);
            return true;
        }

        waiter.At(OrderingPoint.PageTableLeaf);
        return walk.TryReplace(slot, 3, 0, leaf);
    }

    /// <summary>
    /// Clears the page that maps the one granule at <paramref name="iova"/> without the owner's
    /// lock; false (nothing written) when it is not a page under existing tables. Nothing is
    /// gathered: the caller invalidates [iova, +granule) itself (leaf, granule-sized), or queues it.
    /// </summary>
    public bool TryUnmapPageUnlocked(ulong iova)
    {
        var walk = tables.Begin();
        ThrowIfDisposed();
        if ((iova & (GranuleBytes - 1)) != 0 || !Fits(iova, GranuleBytes, Config.InputBits) || !TryFindLastLevelSlot(walk, iova, out var slot))
        {
            return false;
        }

        var pte = walk.Read(slot, 3);
        if (!IsValid(pte))
        {
            return false;
        }

        waiter.At(OrderingPoint.PageTableLeaf);
        return walk.TryReplace(slot, 3, pte, 0);
    }

    /// <summary>Writes the leaf of a one-granule map when every table above it exists and the slot is free.</summary>
    private bool TryMapSinglePage(ulong iova, ulong pa, ulong attributes)
    {
        var walk = tables.Begin();
        if (!TryFindLastLevelSlot(walk, iova, out var slot) || IsValid(walk.Read(slot, 3)))
        {
            return false;
        }

        walk.Write(slot, 3, attributes | Descriptor.EncodeAddress(pa, granule) | Descriptor.TypePage);
        return true;
    }

    /// <summary>Clears the leaf of a one-granule unmap when it is a page under existing tables, and gathers it.</summary>
    private bool TryUnmapSinglePage(ulong iova, IotlbGather gather)
    {
        var walk = tables.Begin();
        if (!TryFindLastLevelSlot(walk, iova, out var slot) || !IsValid(walk.Read(slot, 3)))
        {
            return false;
        }

        walk.Write(slot, 3, 0);
        if (!gather.Queued)
        {
            flushOps.AddPage(gather, iova, GranuleBytes);
        }

        return true;
    }

    /// <summary>The level-3 descriptor slot of <paramref name="iova"/>, when a table descriptor leads there at every level above.</summary>
    private bool TryFindLastLevelSlot(in TableWalk walk, ulong iova, out ulong slot)
    {
        var table = LastLevelTable(walk, iova);
        slot = table == 0 ? 0 : EntryAddress(table, iova, 3);
        return table != 0;
    }

    /// <summary>The level-3 table that holds <paramref name="iova"/>'s page when table descriptors lead there from the start level; 0 otherwise.</summary>
    private ulong LastLevelTable(in TableWalk walk, ulong iova)
    {
        var table = TableBase;
        for (var level = startLevel; level < 3; level++)
        {
            var pte = walk.Read(EntryAddress(table, iova, level), level);
            if (!IsTable(pte, level))
            {
                return 0;
            }

            table = NextTable(pte, level);
        }

        return table;
    }

    /// <summary>
    /// For a piece of a many-page request: the level-3 slot of <paramref name="iova"/> when the
    /// piece is a page (<paramref name="leafLevel"/> 3) under existing tables, through
    /// <paramref name="memo"/>; 0 otherwise, and a piece that is not a page clears the memo.
    /// </summary>
    private ulong RememberedPageSlot(in TableWalk walk, ulong iova, int leafLevel, ref LastLevelTableMemo memo)
    {
        if (leafLevel != 3)
        {
            memo.Forget();
            return 0;
        }

        var table = LastLevelTable(walk, iova, ref memo);
        return table == 0 ? 0 : EntryAddress(table, iova, 3);
    }

    /// <summary>
    /// <see cref="LastLevelTable(in TableWalk, ulong)"/> through <paramref name="memo"/>: a page in
    /// the region the memo holds takes its table from it; a walk that finds one is remembered.
    /// </summary>
    private ulong LastLevelTable(in TableWalk walk, ulong iova, ref LastLevelTableMemo memo)
    {
        var region = iova >> granule.LevelShift(2);
        if (memo.Table != 0 && memo.Region == region)
        {
            return memo.Table;
        }

        var table = LastLevelTable(walk, iova);
        if (table != 0)
        {
            memo.Region = region;
            memo.Table = table;
        }

        return table;
    }
}
