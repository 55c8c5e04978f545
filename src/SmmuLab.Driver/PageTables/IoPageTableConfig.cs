using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Driver.PageTables;

/// <summary>
/// What a set of LPAE I/O page tables is built for (Linux <c>io_pgtable_cfg</c> for ARM_64_LPAE_S1/S2)
/// and the geometry that follows from it: start level, start-level index bits (concatenation at
/// stage 2), the leaf sizes the tables use, and the TCR/VTCR images the CD and STE builders need.
/// </summary>
internal sealed class IoPageTableConfig
{
    /// <summary>Linux's MAIR, 0xF404FF44: index 0 NC (0x44), 1 WBRWA (0xFF), 2 Device-nGnRE (0x04), 3 inner-NC outer-WB (0xF4).</summary>
    public const ulong Mair =
        ((ulong)MairAttr.NormalNonCacheable << (int)(8 * PteAttributes.MairIndexNonCacheable))
        | ((ulong)MairAttr.NormalWriteBack << (int)(8 * PteAttributes.MairIndexCacheable))
        | ((ulong)MairAttr.DeviceNGnRE << (int)(8 * PteAttributes.MairIndexDevice))
        | ((ulong)MairAttr.InnerNonCacheableOuterWriteBack << (int)(8 * PteAttributes.MairIndexInnerNcOuterWb));

    /// <summary>At most this many tables are concatenated at the stage-2 start level.</summary>
    public const int MaxConcatenatedTables = 16;

    /// <summary>Validates the combination and derives the geometry; throws <see cref="ArgumentException"/> when it is unsupported.</summary>
    /// <param name="format">Stage 1 or stage 2.</param>
    /// <param name="granule">Translation granule.</param>
    /// <param name="inputBits">IAS: 32 to 48.</param>
    /// <param name="outputBits">OAS: 32, 36, 40, 42, 44, 48, or 52 with the 64 KiB granule.</param>
    /// <param name="coherentWalk">The SMMU's table walks snoop CPU caches (IDR0.COHACC).</param>
    /// <param name="quirks">Descriptor options; each quirk is valid for one stage only.</param>
    public IoPageTableConfig(IoPageTableFormat format, Granule granule, int inputBits, int outputBits, bool coherentWalk,
        IoPageTableQuirks quirks = IoPageTableQuirks.None)
    {
        if (!Enum.IsDefined(granule))
        {
            throw new ArgumentOutOfRangeException(nameof(granule), granule, "not a translation granule");
        }

        if (inputBits is < 32 or > 48)
        {
            throw new ArgumentOutOfRangeException(nameof(inputBits), inputBits, "input size must be 32 to 48 bits");
        }

        if (outputBits is not (32 or 36 or 40 or 42 or 44 or 48 or 52))
        {
            throw new ArgumentOutOfRangeException(nameof(outputBits), outputBits, "output size has no IPS/PS encoding");
        }

        if (outputBits == 52 && granule != Granule.Size64K)
        {
            throw new ArgumentException("a 52-bit output size needs the 64 KiB granule (LPA2 is not supported)", nameof(outputBits));
        }

        var allowed = format == IoPageTableFormat.Stage1
            ? IoPageTableQuirks.NonSecure | IoPageTableQuirks.OuterWbwa | IoPageTableQuirks.HardwareDirty
            : IoPageTableQuirks.S2Fwb;
        if ((quirks & ~allowed) != 0)
        {
            throw new ArgumentException($"quirks {quirks & ~allowed} are not valid for {format}", nameof(quirks));
        }

        Format = format;
        Granule = granule;
        InputBits = inputBits;
        OutputBits = outputBits;
        CoherentWalk = coherentWalk;
        Quirks = quirks;

        var start = granule.StartLevel(inputBits);
        var pgdBits = inputBits - granule.LevelShift(start);

        // Stage 2 may replace a small level-0 table by up to 16 concatenated level-1 tables.
        if (format == IoPageTableFormat.Stage2 && start == 0 && (1 << pgdBits) <= MaxConcatenatedTables)
        {
            start = 1;
            pgdBits += granule.Stride();
        }

        StartLevel = start;
        StartLevelIndexBits = pgdBits;
        PageSizeBitmap = LeafSizes(granule, start, outputBits);
    }

    public IoPageTableFormat Format { get; }

    public Granule Granule { get; }

    /// <summary>IAS: the IOVA (stage 1) or IPA (stage 2) size in bits.</summary>
    public int InputBits { get; }

    /// <summary>OAS: the output address size in bits.</summary>
    public int OutputBits { get; }

    public bool CoherentWalk { get; }

    public IoPageTableQuirks Quirks { get; }

    /// <summary>Level of the first lookup, after stage-2 concatenation.</summary>
    public int StartLevel { get; }

    /// <summary>IOVA bits resolved at the start level; more than the stride means concatenated tables.</summary>
    public int StartLevelIndexBits { get; }

    /// <summary>Number of granule-sized tables making up the start level (1 unless concatenated).</summary>
    public int ConcatenatedTables => StartLevelIndexBits > Granule.Stride() ? 1 << (StartLevelIndexBits - Granule.Stride()) : 1;

    /// <summary>Bytes of the start-level table (or concatenated set): 8 per entry.</summary>
    public ulong StartLevelTableBytes => 8UL << StartLevelIndexBits;

    /// <summary>Every leaf size the tables can hold, one bit per size (Linux <c>pgsize_bitmap</c>).</summary>
    public ulong PageSizeBitmap { get; }

    /// <summary>The smallest page: the granule in bytes.</summary>
    public ulong GranuleBytes => Granule.Bytes();

    /// <summary>The CD fields for tables whose start level is at <paramref name="ttbr"/>; throws for a stage-2 configuration.</summary>
    public Stage1TranslationControl Stage1Control(ulong ttbr)
    {
        if (Format != IoPageTableFormat.Stage1)
        {
            throw new InvalidOperationException("stage-2 tables have no stage-1 translation control");
        }

        return new Stage1TranslationControl(ttbr, (uint)(64 - InputBits), Granule.ToTg0(), WalkInner, WalkOuter, WalkShare,
            AddressSize.FromBits(OutputBits), Mair);
    }

    /// <summary>The STE fields for tables whose start level is at <paramref name="vttbr"/>; throws for a stage-1 configuration.</summary>
    public Stage2TranslationControl Stage2Control(ulong vttbr)
    {
        if (Format != IoPageTableFormat.Stage2)
        {
            throw new InvalidOperationException("stage-1 tables have no stage-2 translation control");
        }

        // S2SL0 counts levels back from level 2 (4K) or level 3 (16K, 64K).
        var sl0 = (uint)((Granule == Granule.Size4K ? 2 : 3) - StartLevel);
        return new Stage2TranslationControl(vttbr, (uint)(64 - InputBits), sl0, Granule.ToTg0(), AddressSize.FromBits(OutputBits),
            WalkInner, WalkOuter, WalkShare);
    }

    private uint WalkInner => CoherentWalk ? Cacheability.WriteBackAllocate : Cacheability.NonCacheable;

    private uint WalkOuter => CoherentWalk || (Quirks & IoPageTableQuirks.OuterWbwa) != 0 ? Cacheability.WriteBackAllocate : Cacheability.NonCacheable;

    private uint WalkShare => CoherentWalk ? Shareability.Inner : Shareability.Outer;

    /// <summary>The page and block sizes Linux uses per granule, limited to levels the walk reaches.</summary>
    private static ulong LeafSizes(Granule g, int startLevel, int outputBits)
    {
        var sizes = 0UL;
        for (var level = 3; level >= startLevel; level--)
        {
            if (level == 3 || g.BlockAllowed(level, outputBits > 48))
            {
                sizes |= 1UL << g.LevelShift(level);
            }
        }

        return sizes;
    }

    public override string ToString() =>
        $"{Format} {Granule} ias {InputBits} oas {OutputBits} start L{StartLevel} ({StartLevelIndexBits} bits){(CoherentWalk ? " coherent" : "")}{(Quirks != 0 ? $" {Quirks}" : "")}";
}
