using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.PageTables;

namespace SmmuLab.TestSupport.Smmu;

/// <summary>
/// A tiny test-side table writer: maps one input block at a chosen level, allocating intermediate
/// tables from a bump allocator. Table addresses are in "table space" (a PA, or an IPA for nested
/// stage-1 tables); they are written to memory at table-space address + <c>writeOffset</c>.
/// </summary>
public sealed class PageTableBuilder
{
    /// <summary>Stage-1 leaf attributes: AF, EL0 access.</summary>
    public const ulong LeafS1 = Descriptor.AccessFlag | Descriptor.ApUnprivileged;

    /// <summary>Stage-2 leaf attributes: AF, read and write.</summary>
    public const ulong LeafS2 = Descriptor.AccessFlag | Descriptor.S2ApRead | Descriptor.S2ApWrite;

    private readonly IPhysicalMemory memory;
    private readonly ulong writeOffset;
    private ulong next;

    /// <summary>Allocates the root table at <paramref name="allocBase"/> (aligned to its size, at least a granule).</summary>
    public PageTableBuilder(IPhysicalMemory memory, Granule granule, int inputBits, int startLevel, ulong allocBase,
        ulong writeOffset = 0)
    {
        this.memory = memory;
        this.writeOffset = writeOffset;
        Granule = granule;
        InputBits = inputBits;
        StartLevel = startLevel;
        var rootBytes = 8UL << StartLevelIndexBits;
        next = allocBase;
        Root = Allocate(Math.Max(rootBytes, granule.Bytes()));
    }

    /// <summary>The translation granule.</summary>
    public Granule Granule { get; }

    /// <summary>The input address size in bits.</summary>
    public int InputBits { get; }

    /// <summary>The level the walk starts at.</summary>
    public int StartLevel { get; }

    /// <summary>The table-space address of the root table.</summary>
    public ulong Root { get; }

    private int StartLevelIndexBits => InputBits - Granule.LevelShift(StartLevel);

    /// <summary>Writes a leaf for <paramref name="ia"/> at <paramref name="level"/> (block or page) with extra attribute bits.</summary>
    public void Map(ulong ia, ulong oa, int level, ulong attributes, ulong tableBits = 0) =>
        WriteLeaf(ia, level, Descriptor.EncodeAddress(oa, Granule) | attributes | (level == 3 ? Descriptor.TypePage : Descriptor.TypeBlock), tableBits);

    /// <summary>Writes an arbitrary descriptor value where the leaf for <paramref name="ia"/> at <paramref name="level"/> would go.</summary>
    public void WriteLeaf(ulong ia, int level, ulong descriptor, ulong tableBits = 0) =>
        memory.Write64(DescriptorAddress(ia, level, tableBits) + writeOffset, descriptor);

    /// <summary>Table-space address of the descriptor for <paramref name="ia"/> at <paramref name="level"/>, creating tables above it.</summary>
    public ulong DescriptorAddress(ulong ia, int level, ulong tableBits = 0)
    {
        var table = Root;
        var bits = StartLevelIndexBits;
        for (var l = StartLevel; ; l++)
        {
            var index = (ia >> Granule.LevelShift(l)) & ((1UL << bits) - 1);
            var address = table + (index * 8);
            if (l == level)
            {
                return address;
            }

            var desc = memory.Read64(address + writeOffset);
            if ((desc & 3) == 1)
            {
                throw new InvalidOperationException("a block is in the way");
            }

            if ((desc & 3) != 3)
            {
                desc = Descriptor.EncodeAddress(Allocate(Granule.Bytes()), Granule) | Descriptor.TypeTable;
            }

            desc |= tableBits;
            memory.Write64(address + writeOffset, desc);
            table = Descriptor.OutputAddress(desc, Granule, l, isTable: true);
            bits = Granule.Stride();
        }
    }

    private ulong Allocate(ulong bytes)
    {
        var a = (next + bytes - 1) & ~(bytes - 1);
        next = a + bytes;
        return a;
    }
}
