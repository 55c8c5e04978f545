using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.PageTables;

internal sealed partial class IoPageTable
{
    /// <summary>Tables allocated for the map in progress, taken in IOVA order.</summary>
    private ulong[] reserved = new ulong[8];
    private int reservedCount;
    private int reservedNext;

    /// <summary>
    /// Maps [<paramref name="iova"/>, +<paramref name="size"/>) to [<paramref name="pa"/>, +<paramref name="size"/>)
    /// with <paramref name="prot"/>, in the largest pages alignment allows (Linux <c>iommu_map</c>).
    /// </summary>
    /// <remarks>
    /// The whole range must be unmapped. An empty table where a block goes (left by earlier unmaps)
    /// is replaced: cleared, walk-flushed and freed before the block is written. New entries need no
    /// invalidation (an SMMU caches no invalid descriptors).
    /// </remarks>
    /// <exception cref="IoPageTableException">The request was refused; nothing changed.</exception>
    /// <exception cref="DmaAllocationException">A table could not be allocated; nothing changed.</exception>
    public void Map(ulong iova, ulong pa, ulong size, IommuProt prot)
    {
        ThrowIfDisposed();
        CheckMapRequest(iova, pa, size, prot);
        var attributes = PteAttributes.Leaf(prot, Config);
        if (size == GranuleBytes && TryMapSinglePage(iova, pa, attributes))
        {
            return;
        }

        var tablesNeeded = CheckMapTargets(iova, pa, size);
        ReserveTables(tablesNeeded);
        var memo = default(LastLevelTableMemo);
        for (var done = 0UL; done < size;)
        {
            var page = PageSizeSelector.Select(PageSizeBitmap, iova + done, pa + done, size - done);
            InstallLeaf(iova + done, pa + done, page, attributes, ref memo);
            done += page;
        }

        if (reservedNext != reservedCount)
        {
            throw new InvalidOperationException("internal error: more tables reserved than the map used");
        }

        reservedCount = reservedNext = 0;
    }

    private void CheckMapRequest(ulong iova, ulong pa, ulong size, IommuProt prot)
    {
        if (size == 0)
        {
            throw new IoPageTableException(IoPageTableError.ZeroSize, iova, size, "nothing to map");
        }

        if (((iova | pa | size) & (GranuleBytes - 1)) != 0)
        {
            throw new IoPageTableException(IoPageTableError.Unaligned, iova, size,
                $"IOVA, PA 0x{pa:X} and size must be multiples of the 0x{GranuleBytes:X} granule");
        }

        if (!Fits(iova, size, Config.InputBits))
        {
            throw new IoPageTableException(IoPageTableError.OutOfRange, iova, size, $"IOVA range exceeds {Config.InputBits} bits");
        }

        if (!Fits(pa, size, Config.OutputBits))
        {
            throw new IoPageTableException(IoPageTableError.OutOfRange, iova, size,
                $"PA range 0x{pa:X} exceeds {Config.OutputBits} bits");
        }

        // Linux maps nothing and reports success here; a silent no-op hides caller bugs.
        if ((prot & (IommuProt.Read | IommuProt.Write)) == 0)
        {
            throw new IoPageTableException(IoPageTableError.NoAccess, iova, size, $"protection {prot} grants no access");
        }
    }

    /// <summary>
    /// Walks every page the map would write without writing: throws when one overlaps a mapping,
    /// and counts the tables that would have to be created (tables created for earlier pages of
    /// the same request are counted once: pages come in IOVA order, so one key per level suffices).
    /// </summary>
    private int CheckMapTargets(ulong iova, ulong pa, ulong size)
    {
        var walk = tables.Begin();
        Span<ulong> lastNewTable = stackalloc ulong[4];
        lastNewTable.Fill(ulong.MaxValue);
        var memo = default(LastLevelTableMemo);
        var count = 0;
        for (var done = 0UL; done < size;)
        {
            var va = iova + done;
            var page = PageSizeSelector.Select(PageSizeBitmap, va, pa + done, size - done);
            var leafLevel = LeafLevel(page);
            if (RememberedPageSlot(walk, va, leafLevel, ref memo) is var known and not 0)
            {
                // A page under existing tables: only its own slot can refuse it.
                if (IsValid(walk.Read(known, 3)))
                {
                    throw AlreadyMapped(va, page);
                }

                done += page;
                continue;
            }

            var table = TableBase;
            var fresh = false;
            for (var level = startLevel; ; level++)
            {
                var pte = fresh ? 0 : walk.Read(EntryAddress(table, va, level), level);
                if (level == leafLevel)
                {
                    if (IsValid(pte) && (!IsTable(pte, level) || !TreeIsEmpty(NextTable(pte, level), level + 1)))
                    {
                        throw AlreadyMapped(va, page);
                    }

                    break;
                }

                if (!IsValid(pte))
                {
                    // A table will be created in this slot; later pages below it find it "fresh" too.
                    var key = va >> granule.LevelShift(level);
                    if (lastNewTable[level] != key)
                    {
                        lastNewTable[level] = key;
                        count++;
                    }

                    fresh = true;
                }
                else if (IsTable(pte, level))
                {
                    table = NextTable(pte, level);
                }
                else
                {
                    throw new IoPageTableException(IoPageTableError.AlreadyMapped, va, page,
                        $"a 0x{LevelSize(level):X} block already maps this IOVA");
                }
            }

            done += page;
        }

        return count;
    }

    private static IoPageTableException AlreadyMapped(ulong va, ulong page) =>
        new(IoPageTableError.AlreadyMapped, va, page, $"a mapping exists in the 0x{page:X} page at this IOVA; unmap it first");

    /// <summary>Allocates and zeroes <paramref name="count"/> tables, or frees what it got and rethrows.</summary>
    private void ReserveTables(int count)
    {
        if (reserved.Length < count)
        {
            Array.Resize(ref reserved, Math.Max(count, reserved.Length * 2));
        }

        reservedCount = reservedNext = 0;
        try
        {
            while (reservedCount < count)
            {
                var table = allocator.Allocate(GranuleBytes, GranuleBytes);
                reserved[reservedCount++] = table;
                Zero(table, GranuleBytes);
            }
        }
        catch
        {
            for (var i = 0; i < reservedCount; i++)
            {
                allocator.Free(reserved[i], GranuleBytes);
            }

            reservedCount = 0;
            throw;
        }

        TablePages += count;
    }

    /// <summary>Writes one leaf, creating tables on the way down from the reserved ones.</summary>
    private void InstallLeaf(ulong iova, ulong pa, ulong page, ulong attributes, ref LastLevelTableMemo memo)
    {
        var walk = tables.Begin();
        var leafLevel = LeafLevel(page);
        if (RememberedPageSlot(walk, iova, leafLevel, ref memo) is var known and not 0)
        {
            walk.Write(known, 3, attributes | Descriptor.EncodeAddress(pa, granule) | Descriptor.TypePage);
            return;
        }

        var table = TableBase;
        for (var level = startLevel; ; level++)
        {
            var slot = EntryAddress(table, iova, level);
            var pte = walk.Read(slot, level);
            if (level == leafLevel)
            {
                if (IsTable(pte, level))
                {
                    // An empty table left by unmaps gives way to the block.
                    RemoveTable(slot, pte, level, iova, page);
                }

                var type = level == 3 ? Descriptor.TypePage : Descriptor.TypeBlock;
                walk.Write(slot, level, attributes | Descriptor.EncodeAddress(pa, granule) | type);
                return;
            }

            if (!IsValid(pte))
            {
                // The table was zeroed when reserved; only now does a walker reach it.
                if (reservedNext == reservedCount)
                {
                    throw new InvalidOperationException("internal error: fewer tables reserved than the map needs");
                }

                var next = reserved[reservedNext++];
                walk.Write(slot, level, Descriptor.EncodeAddress(next, granule) | tableBits);
                table = next;
            }
            else
            {
                table = NextTable(pte, level);
            }
        }
    }
}
