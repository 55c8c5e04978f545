using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Examples;

/// <summary>
/// The guest's stage-1 translation table: VMSAv8-64, 4 KiB granule, 48-bit input addresses (start
/// level 0), written with the guest CPU's stores. Leaves are Normal memory (MAIR index
/// <see cref="NormalIndex"/>), inner shareable, accessible and writable at EL0, not global.
/// </summary>
public sealed class GuestPageTable
{
    /// <summary>The translation granule.</summary>
    public const Granule G = Granule.Size4K;

    /// <summary>Input address bits (CD.T0SZ = 64 - this).</summary>
    public const int InputBits = 48;

    /// <summary>The MAIR attribute index leaves use; the CD's MAIR holds Normal write-back there.</summary>
    public const int NormalIndex = 0;

    private const int LastLevel = 3;
    private readonly SystemBus bus;
    private readonly GuestAllocator allocator;
    private readonly int startLevel = G.StartLevel(InputBits);

    /// <summary>Allocates the start-level table.</summary>
    public GuestPageTable(SystemBus bus, GuestAllocator allocator)
    {
        this.bus = bus;
        this.allocator = allocator;
        Root = allocator.Allocate(G.Bytes());
    }

    /// <summary>PA of the start-level table (CD.TTB0).</summary>
    public ulong Root { get; }

    /// <summary>Maps the page at <paramref name="iova"/> to the page at <paramref name="pa"/>, read/write.</summary>
    public void MapPage(ulong iova, ulong pa)
    {
        var leaf = Descriptor.EncodeAddress(pa, G) | Descriptor.TypePage | Descriptor.AccessFlag | Descriptor.NotGlobal
            | Descriptor.ApUnprivileged | Descriptor.AttrIndx.Make(NormalIndex) | Descriptor.SH.Make(Shareability.Inner);
        bus.CpuWrite64(LeafSlot(iova), leaf);
    }

    /// <summary>Clears the page's leaf descriptor. The SMMU may still hold it in its TLB until a TLBI.</summary>
    public void UnmapPage(ulong iova) => bus.CpuWrite64(LeafSlot(iova), 0);

    /// <summary>The PA of the level-3 descriptor of <paramref name="iova"/>, creating the tables on the way.</summary>
    private ulong LeafSlot(ulong iova)
    {
        var table = Root;
        for (var level = startLevel; level < LastLevel; level++)
        {
            var slot = table + (Index(iova, level) * sizeof(ulong));
            var desc = bus.CpuRead64(slot);
            if ((desc & Descriptor.TypeTable) != Descriptor.TypeTable)
            {
                var next = allocator.Allocate(G.Bytes());
                desc = Descriptor.EncodeAddress(next, G) | Descriptor.TypeTable;
                bus.CpuWrite64(slot, desc);
            }

            table = Descriptor.OutputAddress(desc, G, level, isTable: true);
        }

        return table + (Index(iova, LastLevel) * sizeof(ulong));
    }

    private static ulong Index(ulong iova, int level) => (iova >> G.LevelShift(level)) & ((1UL << G.Stride()) - 1);
}
