namespace SmmuLab.Driver.PageTables;

internal sealed partial class IoPageTable
{
    /// <summary>
    /// Unmaps [<paramref name="iova"/>, +<paramref name="size"/>), cut into pages as the IOMMU core
    /// does (<c>iommu_unmap</c>: the IOVA's alignment and the remaining length pick each piece), and
    /// returns the bytes unmapped (always <paramref name="size"/>).
    /// </summary>
    /// <remarks>
    /// <para>Each piece must land on a leaf of exactly its size, or on a table that maps every address
    /// below it. A cleared leaf is handed to <see cref="IIoPageTableFlushOps.AddPage"/> for
    /// <paramref name="gather"/> (unless the gather is queued); the owner syncs the gather afterwards.
    /// A table met by a whole block-sized piece is cleared, walk-flushed
    /// (<see cref="IIoPageTableFlushOps.FlushWalk"/>: IOVA, piece size, granule) and freed with
    /// everything below it; its leaves are not gathered since the walk flush covers them.</para>
    /// <para>Differences from Linux, which unmaps up to the first failing piece and returns the bytes
    /// done: here the request is checked whole first, a hole anywhere (including a partly mapped
    /// table under a block-sized piece, which Linux would tear down) is refused with
    /// <see cref="IoPageTableError.NotMapped"/>, and a piece smaller than the block it falls in is
    /// refused with <see cref="IoPageTableError.BlockSplit"/> (Linux returns 0: "unmap of a partial
    /// large IOPTE is not allowed").</para>
    /// </remarks>
    /// <exception cref="IoPageTableException">The request was refused; nothing changed.</exception>
    public ulong Unmap(ulong iova, ulong size, IotlbGather gather)
    {
        ArgumentNullException.ThrowIfNull(gather);
        ThrowIfDisposed();
        if (size == 0)
        {
            throw new IoPageTableException(IoPageTableError.ZeroSize, iova, size, "nothing to unmap");
        }

        if (((iova | size) & (GranuleBytes - 1)) != 0)
        {
            throw new IoPageTableException(IoPageTableError.Unaligned, iova, size,
                $"IOVA and size must be multiples of the 0x{GranuleBytes:X} granule");
        }

        if (!Fits(iova, size, Config.InputBits))
        {
            throw new IoPageTableException(IoPageTableError.OutOfRange, iova, size, $"IOVA range exceeds {Config.InputBits} bits");
        }

        if (size == GranuleBytes && TryUnmapSinglePage(iova, gather))
        {
            return size;
        }

        var memo = default(LastLevelTableMemo);
        for (var done = 0UL; done < size;)
        {
            var page = PageSizeSelector.Select(PageSizeBitmap, iova + done, iova + done, size - done);
            CheckUnmapTarget(iova + done, page, ref memo);
            done += page;
        }

        memo.Forget();
        for (var done = 0UL; done < size;)
        {
            var page = PageSizeSelector.Select(PageSizeBitmap, iova + done, iova + done, size - done);
            RemoveLeaf(iova + done, page, gather, ref memo);
            done += page;
        }

        return size;
    }

    private static IoPageTableException NothingMapped(ulong iova, ulong page) =>
        new(IoPageTableError.NotMapped, iova, page, "nothing is mapped at this IOVA");

    /// <summary>Throws unless the piece is exactly one leaf, or one fully mapped table, of its size.</summary>
    private void CheckUnmapTarget(ulong iova, ulong page, ref LastLevelTableMemo memo)
    {
        var walk = tables.Begin();
        var leafLevel = LeafLevel(page);
        if (RememberedPageSlot(walk, iova, leafLevel, ref memo) is var known and not 0)
        {
            if (!IsValid(walk.Read(known, 3)))
            {
                throw NothingMapped(iova, page);
            }

            return;
        }

        var table = TableBase;
        for (var level = startLevel; ; level++)
        {
            var pte = walk.Read(EntryAddress(table, iova, level), level);
            if (!IsValid(pte))
            {
                throw NothingMapped(iova, page);
            }

            var isTable = IsTable(pte, level);
            if (level == leafLevel)
            {
                if (isTable && !TreeIsFull(NextTable(pte, level), level + 1))
                {
                    throw new IoPageTableException(IoPageTableError.NotMapped, iova, page,
                        "part of this block-sized piece is not mapped");
                }

                return;
            }

            if (!isTable)
            {
                throw new IoPageTableException(IoPageTableError.BlockSplit, iova, page,
                    $"the piece is part of a 0x{LevelSize(level):X} block; unmap the whole block");
            }

            table = NextTable(pte, level);
        }
    }

    /// <summary>Clears one checked piece: a leaf goes to the gather, a table is walk-flushed and freed.</summary>
    private void RemoveLeaf(ulong iova, ulong page, IotlbGather gather, ref LastLevelTableMemo memo)
    {
        var walk = tables.Begin();
        var leafLevel = LeafLevel(page);
        if (RememberedPageSlot(walk, iova, leafLevel, ref memo) is var known and not 0)
        {
            walk.Write(known, 3, 0);
            if (!gather.Queued)
            {
                flushOps.AddPage(gather, iova, page);
            }

            return;
        }

        var table = TableBase;
        for (var level = startLevel; ; level++)
        {
            var slot = EntryAddress(table, iova, level);
            var pte = walk.Read(slot, level);
            if (level < leafLevel)
            {
                table = NextTable(pte, level);
                continue;
            }

            if (IsTable(pte, level))
            {
                RemoveTable(slot, pte, level, iova, page);
            }
            else
            {
                walk.Write(slot, level, 0);
                if (!gather.Queued)
                {
                    flushOps.AddPage(gather, iova, page);
                }
            }

            return;
        }
    }
}
