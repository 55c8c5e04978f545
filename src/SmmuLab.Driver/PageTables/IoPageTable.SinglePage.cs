using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Driver.PageTables;

/// <summary>
/// One-granule map and unmap in a single walk: the common DMA case (a 4 KiB buffer) where every
/// table on the way exists. Anything else (a missing table, a block, a leaf already there or
/// missing) returns false untouched, and the general path, which checks the whole request before
/// writing, handles it and produces its errors.
/// </summary>
internal sealed partial class IoPageTable
{
    /// <summary>Writes the leaf of a one-granule map when every table above it exists and the slot is free.</summary>
    private bool TryMapSinglePage(ulong iova, ulong pa, ulong attributes)
    {
        if (!TryFindLastLevelSlot(iova, out var slot) || IsValid(tables.Read(slot, 3)))
        {
            return false;
        }

        tables.Write(slot, 3, attributes | Descriptor.EncodeAddress(pa, granule) | Descriptor.TypePage);
        return true;
    }

    /// <summary>Clears the leaf of a one-granule unmap when it is a page under existing tables, and gathers it.</summary>
    private bool TryUnmapSinglePage(ulong iova, IotlbGather gather)
    {
        if (!TryFindLastLevelSlot(iova, out var slot) || !IsValid(tables.Read(slot, 3)))
        {
            return false;
        }

        tables.Write(slot, 3, 0);
        if (!gather.Queued)
        {
            flushOps.AddPage(gather, iova, GranuleBytes);
        }

        return true;
    }

    /// <summary>The level-3 descriptor slot of <paramref name="iova"/>, when a table descriptor leads there at every level above.</summary>
    private bool TryFindLastLevelSlot(ulong iova, out ulong slot)
    {
        var table = TableBase;
        for (var level = startLevel; level < 3; level++)
        {
            var pte = tables.Read(EntryAddress(table, iova, level), level);
            if (!IsTable(pte, level))
            {
                slot = 0;
                return false;
            }

            table = NextTable(pte, level);
        }

        slot = EntryAddress(table, iova, 3);
        return true;
    }
}
