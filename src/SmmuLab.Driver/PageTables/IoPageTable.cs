using System.Numerics;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.PageTables;

/// <summary>
/// VMSAv8-64 LPAE I/O page tables in DMA memory, for one domain (Linux <c>io_pgtable_ops</c> of
/// io-pgtable-arm): map and unmap of page-aligned ranges cut into pages the way the IOMMU core does
/// (<see cref="PageSizeSelector"/>), and IOVA-to-PA lookup.
/// </summary>
/// <remarks>
/// <para>
/// Requests are checked whole before anything is written: a refused request throws
/// <see cref="IoPageTableException"/> and a failed table allocation rethrows
/// <see cref="DmaAllocationException"/>, both leaving mappings and tables as they were.
/// </para>
/// <para>
/// Tables: a new table is zeroed before the descriptor pointing at it is written, and every
/// descriptor is written with one 64-bit store, so a concurrent walker sees either the old or the
/// new entry. A table is freed only when an unmap of a whole block-sized piece meets it (or a block
/// map replaces an empty one): the table descriptor is cleared, <see cref="IIoPageTableFlushOps.FlushWalk"/>
/// invalidates the range non-leaf, and then the table and any tables below it go back to the
/// allocator. A table that merely became empty stays. Blocks are never split: unmapping part of a
/// block is refused (<see cref="IoPageTableError.BlockSplit"/>), as modern Linux refuses it.
/// </para>
/// <para>
/// The owner serialises <see cref="Map"/>, <see cref="Unmap"/> and <see cref="Dispose"/>; lookups
/// and the one-page <c>Unlocked</c> map and unmap (IoPageTable.SinglePage.cs) may run beside them
/// and each other. Non-coherent walks need no cache
/// maintenance in this model (memory has no CPU cache), so coherence only selects the walk attributes.
/// </para>
/// </remarks>
internal sealed partial class IoPageTable : IDisposable
{
    private static readonly byte[] Zeros = new byte[4096];

    private readonly IPhysicalMemory memory;
    private readonly TablePageViews tables;
    private readonly IDmaAllocator allocator;
    private readonly IIoPageTableFlushOps flushOps;
    private readonly Waiter waiter;
    private readonly Granule granule;
    private readonly int startLevel;
    private readonly int startIndexBits;
    private readonly ulong leafAttributesMask;
    private readonly ulong tableBits;
    private bool disposed;

    /// <summary>Allocates and zeroes the start-level table (or concatenated set).</summary>
    /// <exception cref="DmaAllocationException">The start-level table could not be allocated.</exception>
    /// <remarks><paramref name="waiter"/>: the platform's waiter, told the lock-free path's ordering point (<see cref="OrderingPoint.PageTableLeaf"/>); none by default.</remarks>
    public IoPageTable(IoPageTableConfig config, IPhysicalMemory memory, IDmaAllocator allocator, IIoPageTableFlushOps flushOps, Waiter? waiter = null)
    {
        this.waiter = waiter ?? Waiter.Default;
        Config = config ?? throw new ArgumentNullException(nameof(config));
        this.memory = memory ?? throw new ArgumentNullException(nameof(memory));
        tables = new TablePageViews(memory);
        this.allocator = allocator ?? throw new ArgumentNullException(nameof(allocator));
        this.flushOps = flushOps ?? throw new ArgumentNullException(nameof(flushOps));
        granule = config.Granule;
        startLevel = config.StartLevel;
        startIndexBits = config.StartLevelIndexBits;
        tableBits = PteAttributes.Table(config);
        leafAttributesMask = ~(Descriptor.OutputAddressMask48 | 3UL);
        StartLevelTableBytes = Math.Max(config.StartLevelTableBytes, 64);
        TableBase = allocator.Allocate(StartLevelTableBytes, StartLevelTableBytes);
        Zero(TableBase, StartLevelTableBytes);
        TablePages = 1;
    }

    public IoPageTableConfig Config { get; }

    /// <summary>A deliberate defect for the concurrency tests' negative controls; never set by the driver.</summary>
    internal IoPageTableFault Fault { get; set; }

    /// <summary>PA of the start-level table: TTBR (stage 1) or VTTBR (stage 2).</summary>
    public ulong TableBase { get; }

    /// <summary>Bytes allocated for the start-level table (at least 64).</summary>
    public ulong StartLevelTableBytes { get; }

    /// <summary>Leaf sizes in use, one bit each (Linux <c>pgsize_bitmap</c>).</summary>
    public ulong PageSizeBitmap => Config.PageSizeBitmap;

    /// <summary>Tables currently allocated, the start level included.</summary>
    public int TablePages { get; private set; }

    /// <summary>CD values for these tables (stage 1 only).</summary>
    public Stage1TranslationControl Stage1Control => Config.Stage1Control(TableBase);

    /// <summary>STE values for these tables (stage 2 only).</summary>
    public Stage2TranslationControl Stage2Control => Config.Stage2Control(TableBase);

    private ulong GranuleBytes => granule.Bytes();

    /// <summary>The PA <paramref name="iova"/> translates to, or 0 when it is not mapped (Linux <c>iova_to_phys</c>).</summary>
    public ulong IovaToPhys(ulong iova) => TryGetLeaf(iova, out var leaf) ? leaf.OutputAddress : 0;

    /// <summary>The PA <paramref name="iova"/> translates to; false when it is not mapped.</summary>
    public bool TryIovaToPhys(ulong iova, out ulong pa)
    {
        var found = TryGetLeaf(iova, out var leaf);
        pa = leaf.OutputAddress;
        return found;
    }

    /// <summary>Finds the leaf descriptor that maps <paramref name="iova"/>.</summary>
    public bool TryGetLeaf(ulong iova, out IoPageTableLeaf leaf)
    {
        var walk = tables.Begin();
        ThrowIfDisposed();
        leaf = default;
        if (Config.InputBits < 64 && iova >> Config.InputBits != 0)
        {
            return false;
        }

        var table = TableBase;
        for (var level = startLevel; level <= 3; level++)
        {
            var slot = EntryAddress(table, iova, level);
            var pte = walk.Read(slot, level);
            if (!IsValid(pte))
            {
                return false;
            }

            if (IsTable(pte, level))
            {
                table = Descriptor.OutputAddress(pte, granule, level, isTable: true);
                continue;
            }

            var size = LevelSize(level);
            var pa = Descriptor.OutputAddress(pte, granule, level, isTable: false) | (iova & (size - 1));
            leaf = new IoPageTableLeaf(pa, pte, slot, level, size);
            return true;
        }

        return false;
    }

    /// <summary>The attribute bits of the leaf mapping <paramref name="iova"/> (type and address removed), or null.</summary>
    public ulong? LeafAttributes(ulong iova) => TryGetLeaf(iova, out var leaf) ? leaf.Descriptor & leafAttributesMask : null;

    /// <summary>
    /// Frees every table (Linux <c>free_io_pgtable_ops</c>). No invalidation is issued: the owner
    /// has detached the tables from every STE/CD and invalidated their ASID/VMID first.
    /// </summary>
    public void Dispose()
    {
        var walk = tables.Begin();
        if (disposed)
        {
            return;
        }

        disposed = true;
        var entries = 1UL << startIndexBits;
        if (startLevel < 3)
        {
            for (var i = 0UL; i < entries; i++)
            {
                var pte = walk.Read(TableBase + (i << 3), startLevel);
                if (IsTable(pte, startLevel))
                {
                    FreeTree(Descriptor.OutputAddress(pte, granule, startLevel, isTable: true), startLevel + 1);
                }
            }
        }

        allocator.Free(TableBase, StartLevelTableBytes);
        TablePages--;
    }

    public override string ToString() => $"io-pgtable {Config} at 0x{TableBase:X}, {TablePages} table pages";

    private static bool IsValid(ulong pte) => (pte & Descriptor.Valid) != 0;

    private static bool IsTable(ulong pte, int level) => level < 3 && (pte & 3) == Descriptor.TypeTable;

    private ulong LevelSize(int level) => 1UL << granule.LevelShift(level);

    /// <summary>The level whose leaves are <paramref name="pageSize"/> bytes.</summary>
    private int LeafLevel(ulong pageSize) => 3 - ((BitOperations.Log2(pageSize) - granule.Shift()) / granule.Stride());

    /// <summary>PA of the descriptor for <paramref name="iova"/> in <paramref name="table"/> at <paramref name="level"/>.</summary>
    private ulong EntryAddress(ulong table, ulong iova, int level)
    {
        var bits = level == startLevel ? startIndexBits : granule.Stride();
        var index = (iova >> granule.LevelShift(level)) & ((1UL << bits) - 1);
        return table + (index << 3);
    }

    private ulong NextTable(ulong pte, int level) => Descriptor.OutputAddress(pte, granule, level, isTable: true);

    /// <summary>True when no descriptor in the table at <paramref name="level"/>, or in any table below it, is valid but a table.</summary>
    private bool TreeIsEmpty(ulong table, int level)
    {
        var walk = tables.Begin();
        var entries = 1UL << granule.Stride();
        for (var i = 0UL; i < entries; i++)
        {
            var pte = walk.Read(table + (i << 3), level);
            if (!IsValid(pte))
            {
                continue;
            }

            if (!IsTable(pte, level) || !TreeIsEmpty(NextTable(pte, level), level + 1))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when every address the table at <paramref name="level"/> covers is mapped.</summary>
    private bool TreeIsFull(ulong table, int level)
    {
        var walk = tables.Begin();
        var entries = 1UL << granule.Stride();
        for (var i = 0UL; i < entries; i++)
        {
            var pte = walk.Read(table + (i << 3), level);
            if (!IsValid(pte) || (IsTable(pte, level) && !TreeIsFull(NextTable(pte, level), level + 1)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Frees the table at <paramref name="level"/> and every table below it.</summary>
    private void FreeTree(ulong table, int level)
    {
        var walk = tables.Begin();
        if (level < 3)
        {
            var entries = 1UL << granule.Stride();
            for (var i = 0UL; i < entries; i++)
            {
                var pte = walk.Read(table + (i << 3), level);
                if (IsTable(pte, level))
                {
                    FreeTree(NextTable(pte, level), level + 1);
                }
            }
        }

        allocator.Free(table, GranuleBytes);
        TablePages--;
    }

    /// <summary>Clears the table descriptor at <paramref name="slot"/>, flushes the walk over the piece, and frees the tables below.</summary>
    private void RemoveTable(ulong slot, ulong pte, int level, ulong iova, ulong size)
    {
        var walk = tables.Begin();
        walk.Write(slot, level, 0);
        flushOps.FlushWalk(iova, size, GranuleBytes);
        FreeTree(NextTable(pte, level), level + 1);
    }

    private void Zero(ulong address, ulong bytes)
    {
        for (var done = 0UL; done < bytes; done += (ulong)Zeros.Length)
        {
            memory.Write(address + done, Zeros.AsSpan(0, (int)Math.Min((ulong)Zeros.Length, bytes - done)));
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);

    private static bool Fits(ulong address, ulong size, int bits) =>
        size <= 1UL << bits && address <= (1UL << bits) - size;
}
