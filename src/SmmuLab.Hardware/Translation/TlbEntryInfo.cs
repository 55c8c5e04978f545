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
/// <param name="Stage1BlockShift">
/// log2 of the stage-1 block a nested entry holds information of: larger than <paramref name="BlockShift"/> when
/// stage 2 splintered the block into smaller entries, equal otherwise (and for stage-1-only and stage-2-only entries).
/// </param>
internal readonly record struct TlbEntryInfo(
    TranslationContext Context, bool Global, Granule Granule, ulong InputBase, int BlockShift, int Level, ulong OutputBase,
    Permissions Permissions, int Stage1BlockShift)
{
    /// <summary>VA of the stage-1 block (<see cref="InputBase"/> rounded down to <see cref="Stage1BlockShift"/>).</summary>
    public ulong Stage1InputBase => Stage1BlockShift >= 64 ? 0 : InputBase & ~((1UL << Stage1BlockShift) - 1);
}

/// <summary>Counters of a TLB (the walk cache keeps its own).</summary>
public readonly record struct TlbStatistics(long Hits, long Misses, long Inserts, long Evictions, long Invalidated)
{
    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);
}
