using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Hardware.Translation;

/// <summary>One TLB entry as <see cref="Tlb.Snapshot"/> reports it.</summary>
/// <param name="Context">Normalized tags (regime, stages, VMID, ASID).</param>
/// <param name="Global">Matches any ASID on lookup.</param>
/// <param name="Granule">Granule of the (stage-1, for nested) tables it came from.</param>
/// <param name="InputBase">VA (or IPA for stage-2-only) of the block.</param>
/// <param name="BlockShift">log2 of the block size.</param>
/// <param name="Level">Leaf level (of stage 1 for nested entries).</param>
/// <param name="OutputBase">PA of the block.</param>
/// <param name="Permissions">Permissions granted (the intersection of both stages for nested entries).</param>
public readonly record struct TlbEntryInfo(
    TranslationContext Context, bool Global, Granule Granule, ulong InputBase, int BlockShift, int Level, ulong OutputBase,
    Permissions Permissions);

/// <summary>Counters of a TLB (the walk cache keeps its own).</summary>
public readonly record struct TlbStatistics(long Hits, long Misses, long Inserts, long Evictions, long Invalidated)
{
    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);
}
