using SmmuLab.Architecture.PageTables;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Translation;

/// <summary>
/// A tiny test-side table writer: maps one input block at a chosen level, allocating intermediate
/// tables from a bump allocator. Table addresses are in "table space" (a PA, or an IPA for nested
/// stage-1 tables); they are written to memory at table-space address + <c>writeOffset</c>.
/// </summary>
internal sealed class PageTableBuilder
{
    public const ulong LeafS1 = Descriptor.AccessFlag | Descriptor.ApUnprivileged;
    public const ulong LeafS2 = Descriptor.AccessFlag | Descriptor.S2ApRead | Descriptor.S2ApWrite;

    private readonly SparsePhysicalMemory memory;
    private readonly ulong writeOffset;
    private ulong next;

    public PageTableBuilder(SparsePhysicalMemory memory, Granule granule, int inputBits, int startLevel, ulong allocBase,
        ulong writeOffset = 0)
    {
        this.memory = memory;
        this.writeOffset = writeOffset;
        Granule = granule;
        InputBits = inputBits;
        StartLevel = startLevel;
        var rootBytes = 8UL << TranslationWalker.StartLevelIndexBits(granule, inputBits, startLevel);
        next = allocBase;
        Root = Allocate(Math.Max(rootBytes, granule.Bytes()));
    }

    public Granule Granule { get; }

    public int InputBits { get; }

    public int StartLevel { get; }

    public ulong Root { get; }

    public WalkParameters Parameters(int outputBits = 48, bool affd = false, bool had = false) =>
        new(Root, Granule, InputBits, StartLevel, outputBits, affd, had);

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
        var bits = TranslationWalker.StartLevelIndexBits(Granule, InputBits, StartLevel);
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
