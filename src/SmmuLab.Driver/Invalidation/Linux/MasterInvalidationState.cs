using System.Numerics;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Masters;

namespace SmmuLab.Driver.Invalidation.Linux;

/// <summary>
/// What the Linux design keeps per master (in <see cref="Master.DesignState"/>): the scratch array
/// allocated when the master is added, into which each attach builds the master's entries for a
/// domain — the to-merge list of the new domain, then the to-unref list of the old one.
/// </summary>
/// <remarks>
/// Sized once: 2 entries (one ASID, or a VMID and its nested stage-1 clear) plus one per StreamID
/// when the function is ATS-capable. Because the master's StreamIDs are sorted and the types are
/// appended in their order, every list built here is sorted without sorting. Building the to-unref
/// list therefore never allocates, which is what lets an attach to blocked or identity never fail.
/// </remarks>
internal sealed class MasterInvalidationState
{
    private readonly Dictionary<uint, bool> mergedAts = [];

    internal MasterInvalidationState(InvalidationArray scratch)
    {
        Scratch = scratch;
        Scratch.ResetScratch();
    }

    /// <summary>The scratch array (after an attach commit: the last to-unref list, users as unref left them).</summary>
    public InvalidationArray Scratch { get; }

    /// <summary>Scratch capacity a master needs: 2, plus its StreamIDs when it is ATS-capable.</summary>
    public static int CapacityFor(Master master) => 2 + (master.AtsSupported ? master.StreamIds.Count : 0);

    /// <summary>
    /// Builds into the scratch array the entries <paramref name="master"/>'s <paramref name="ssid"/>
    /// contributes to <paramref name="domain"/>: its ASID (stage 1 and SVA) or VMID (stage 2); for a
    /// nesting parent also the nested stage-1 clear; with ATS one ATC entry per StreamID — the whole
    /// ATC for a nesting parent, else the SubstreamID's. TLB entries carry the domain's smallest page
    /// size as a shift when the SMMU has range invalidation.
    /// </summary>
    internal InvalidationArray Build(Master master, bool ats, uint ssid, InvalidationDomain domain)
    {
        var smmu = master.Smmu;
        var ordinal = master.Iommu.OrdinalOf(smmu);
        var pageShift = smmu.Features.RangeInvalidation ? (uint)BitOperations.TrailingZeroCount(domain.PageSizeBitmap) : 0;
        Scratch.ResetScratch();
        Scratch.Append(InvalidationEntry.For(smmu, domain.IsStage1 ? InvalidationType.S1Asid : InvalidationType.S2Vmid, domain.Tag, pageShift, smmuOrdinal: ordinal));
        if (domain.IsNestParent)
        {
            Scratch.Append(InvalidationEntry.For(smmu, InvalidationType.S2VmidS1Clear, domain.Tag, smmuOrdinal: ordinal));
        }

        if (ats)
        {
            foreach (var sid in master.StreamIds)
            {
                Scratch.Append(domain.IsNestParent
                    ? InvalidationEntry.For(smmu, InvalidationType.AtsFull, sid, smmuOrdinal: ordinal)
                    : InvalidationEntry.For(smmu, InvalidationType.Ats, sid, ssid, smmuOrdinal: ordinal));
            }
        }

        return Scratch;
    }

    /// <summary>
    /// The ATS state <paramref name="ssid"/>'s entries were merged with, else <paramref name="fallback"/>.
    /// Linux rebuilds the to-unref list from the master's current ATS state; SmmuLab's master can
    /// change that state while PASIDs stay attached (blocking the RID turns ATS off), so the design
    /// remembers what it merged and removes exactly that.
    /// </summary>
    internal bool MergedAts(uint ssid, bool fallback) => mergedAts.TryGetValue(ssid, out var ats) ? ats : fallback;

    /// <summary>Records the ATS state of a merge (the attach path that merged has already allocated).</summary>
    internal void RecordMerged(uint ssid, bool ats) => mergedAts[ssid] = ats;

    /// <summary>Forgets an ssid that no longer has a domain; removal never allocates.</summary>
    internal void Forget(uint ssid) => mergedAts.Remove(ssid);
}
