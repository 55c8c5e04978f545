using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Driver.Platform;
using SmmuLab.Driver.Tables;

namespace SmmuLab.Driver.Probe;

/// <summary>
/// The stream table in DMA memory (Linux <c>arm_smmu_strtab_cfg</c>): linear when the StreamID
/// space is small or 2-level tables are not implemented, else 2-level with SPLIT = 8 and level-2
/// arrays of 256 STEs allocated when the first master with a StreamID in their span is added.
/// Every STE starts as abort.
/// </summary>
public sealed class StreamTable
{
    /// <summary>Linux <c>STRTAB_SPLIT</c>: each level-2 array holds 2^8 STEs.</summary>
    public const int Split = 8;

    /// <summary>The most level-1 descriptors Linux allocates (<c>STRTAB_MAX_L1_ENTRIES</c>).</summary>
    public const int MaxL1Log2 = 17;

    private readonly DriverPlatform platform;
    private readonly ulong[]? l2Tables;
    private readonly object gate = new();

    public StreamTable(DriverPlatform platform, DriverFeatures features)
    {
        this.platform = platform;
        SidBits = features.SidBits;
        if (features.TwoLevelStreamTable && SidBits > Split)
        {
            TwoLevel = true;
            var l1Log2 = Math.Min(SidBits - Split, MaxL1Log2);
            Log2Size = l1Log2 + Split;
            var l1Bytes = 8UL << l1Log2;
            Base = platform.Allocator.Allocate(l1Bytes, Math.Max(64, l1Bytes));
            l2Tables = new ulong[1 << l1Log2];
        }
        else
        {
            Log2Size = SidBits;
            var bytes = (ulong)Ste.Bytes << SidBits;
            Base = platform.Allocator.Allocate(bytes, bytes);
            InitialiseAbort(Base, 1UL << SidBits);
        }
    }

    public bool TwoLevel { get; }

    public int SidBits { get; }

    /// <summary>STRTAB_BASE_CFG.LOG2SIZE.</summary>
    public int Log2Size { get; }

    public ulong Base { get; }

    /// <summary>Level-2 arrays allocated so far.</summary>
    public int L2TablesAllocated { get; private set; }

    public ulong BaseRegister => StrtabBase.ADDR.InsertAddress(0, Base) | StrtabBase.RA.Make(1);

    public uint BaseCfgRegister => (uint)(StrtabBase.LOG2SIZE.Make((ulong)Log2Size)
        | (TwoLevel ? StrtabBase.FMT.Make(StrtabBase.Fmt2Level) | StrtabBase.SPLIT.Make(Split) : StrtabBase.FMT.Make(StrtabBase.FmtLinear)));

    /// <summary>
    /// Makes sure the STE of <paramref name="sid"/> exists (allocating its level-2 array, whose
    /// STEs are written as abort before the L1 descriptor that publishes them).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The StreamID is beyond the table.</exception>
    /// <exception cref="DmaAllocationException">The level-2 array could not be allocated.</exception>
    public void EnsureStream(uint sid)
    {
        if (Log2Size < 32 && sid >> Log2Size != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sid), $"StreamID 0x{sid:x} is beyond the {Log2Size}-bit stream table");
        }

        if (!TwoLevel)
        {
            return;
        }

        lock (gate)
        {
            var l1 = sid >> Split;
            if (l2Tables![l1] != 0)
            {
                return;
            }

            var bytes = (ulong)Ste.Bytes << Split;
            var l2 = platform.Allocator.Allocate(bytes, bytes);
            InitialiseAbort(l2, 1UL << Split);

            // The STEs are valid (abort) before the descriptor that makes them reachable is written,
            // in one 64-bit store.
            platform.Memory.Write64(Base + (l1 * 8), L1Std.L2Ptr.InsertAddress(0, l2) | L1Std.Span.Make(Split + 1));
            l2Tables[l1] = l2;
            L2TablesAllocated++;
        }
    }

    /// <summary>The DMA address of the STE of <paramref name="sid"/> (after <see cref="EnsureStream"/>).</summary>
    public ulong SteAddress(uint sid)
    {
        if (!TwoLevel)
        {
            return Base + ((ulong)sid * Ste.Bytes);
        }

        var l2 = l2Tables![sid >> Split];
        if (l2 == 0)
        {
            throw new InvalidOperationException($"StreamID 0x{sid:x} has no level-2 stream table");
        }

        return l2 + ((ulong)(sid & ((1u << Split) - 1)) * Ste.Bytes);
    }

    private void InitialiseAbort(ulong address, ulong count)
    {
        Span<ulong> abort = stackalloc ulong[Ste.Dwords];
        SteBuilder.MakeAbort(abort);
        for (ulong i = 0; i < count; i++)
        {
            for (var d = 0; d < Ste.Dwords; d++)
            {
                platform.Memory.Write64(address + (i * Ste.Bytes) + ((ulong)d * 8), abort[d]);
            }
        }
    }
}
