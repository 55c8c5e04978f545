using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Machines;

/// <summary>
/// A VMSAv8-64 4 KiB-granule translation table written directly into memory, for the
/// hand-programmed default machine (the driver's io-pgtable replaces it). Stage 1 leaves get
/// AF | nG | AttrIndx 1 | ISH; stage 2 leaves get AF | S2AP RW | MemAttr 0xF | ISH.
/// </summary>
internal sealed class HandBuiltPageTable
{
    private const Granule G = Granule.Size4K;
    private readonly IPhysicalMemory memory;
    private readonly PhysicalAllocator allocator;
    private readonly bool stage2;

    public HandBuiltPageTable(IPhysicalMemory memory, PhysicalAllocator allocator, int inputBits, bool stage2)
    {
        this.memory = memory;
        this.allocator = allocator;
        this.stage2 = stage2;
        InputBits = inputBits;
        StartLevel = G.StartLevel(inputBits);
        Root = allocator.Allocate(4096);
    }

    /// <summary>PA of the start-level table (TTB0 or S2TTB).</summary>
    public ulong Root { get; }

    public int InputBits { get; }

    public int StartLevel { get; }

    /// <summary>Maps [iova, iova + size) to [pa, pa + size) with 4 KiB pages.</summary>
    public void Map(ulong iova, ulong pa, ulong size, bool writable = true)
    {
        for (ulong off = 0; off < size; off += 4096)
        {
            var slot = LeafSlot(iova + off, create: true)!.Value;
            var leaf = Descriptor.EncodeAddress(pa + off, G) | Descriptor.TypePage | Descriptor.AccessFlag | Descriptor.SH.Make(3);
            leaf |= stage2
                ? Descriptor.MemAttr.Make(0xF) | Descriptor.S2ApRead | (writable ? Descriptor.S2ApWrite : 0)
                : Descriptor.NotGlobal | Descriptor.ApUnprivileged | Descriptor.AttrIndx.Make(1) | (writable ? 0 : Descriptor.ApReadOnly);
            memory.Write64(slot, leaf);
        }
    }

    /// <summary>Clears the leaf descriptors of [iova, iova + size).</summary>
    public void Unmap(ulong iova, ulong size)
    {
        for (ulong off = 0; off < size; off += 4096)
        {
            if (LeafSlot(iova + off, create: false) is { } slot)
            {
                memory.Write64(slot, 0);
            }
        }
    }

    private ulong? LeafSlot(ulong iova, bool create)
    {
        var table = Root;
        for (var level = StartLevel; level < 3; level++)
        {
            var slot = table + (Index(iova, level) * 8);
            var desc = memory.Read64(slot);
            if ((desc & 3) != Descriptor.TypeTable)
            {
                if (!create)
                {
                    return null;
                }

                var next = allocator.Allocate(4096);
                memory.Write64(slot, Descriptor.EncodeAddress(next, G) | Descriptor.TypeTable);
                desc = memory.Read64(slot);
            }

            table = Descriptor.OutputAddress(desc, G, level, isTable: true);
        }

        return table + (Index(iova, 3) * 8);
    }

    private ulong Index(ulong iova, int level)
    {
        var shift = G.LevelShift(level);
        var bits = level == StartLevel ? InputBits - shift : G.Stride();
        return (iova >> shift) & ((1UL << bits) - 1);
    }
}
