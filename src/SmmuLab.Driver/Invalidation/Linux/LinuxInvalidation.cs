using System.Diagnostics;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Masters;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Invalidation.Linux;

/// <summary>
/// The Linux 7.1 invalidation design: each domain owns a sorted invalidation array listing, per
/// SMMU, the ASID/VMID, the nested stage-1 clear and the ATC StreamIDs to invalidate, with a user
/// count per entry. Attaches merge the master's entries into the new domain's array (a new array,
/// may fail) and unref them from the old one (in place, cannot fail); every invalidation walks one
/// snapshot of the array. A domain may span several SMMUs: each gets its own entries and batches.
/// </summary>
/// <remarks>
/// The attach order (Master.Attach drives it; every step runs under the attach lock):
/// <list type="number">
/// <item><see cref="Prepare"/>: merge into the new domain's array — the only step that can fail —
/// and build the old domain's to-unref list in the master's scratch array.</item>
/// <item><see cref="InstallNew"/>: publish the merged array. BEFORE the STE/CD install.</item>
/// <item>The STE/CD writes.</item>
/// <item><see cref="Commit"/>: unref from the old domain's array, flush the ASID/VMID if this was its
/// last user on that SMMU, publish the purged array. AFTER the STE/CD install.</item>
/// </list>
/// Why: an IOPTE change invalidated concurrently with the attach must reach every cache the
/// master may fill. Before the STE points at the new domain the SMMU cannot cache its
/// translations for the master, and from the moment it may, the new array already lists the
/// master; until the STE has left the old domain, the old array still lists it.
/// </remarks>
internal sealed class LinuxInvalidation(InvalidationArrayAllocator? allocator = null) : IInvalidationDesign
{
    private long unknownEntries;

    public string Name => InvalidationDesigns.Linux;

    /// <summary>Where every invalidation array comes from (failure injection for tests).</summary>
    public InvalidationArrayAllocator Allocator { get; } = allocator ?? new InvalidationArrayAllocator();

    /// <summary>
    /// Test-only defect (a negative control, <c>NoLastDetachFlush</c> in the tests): the last detach
    /// of an ASID/VMID from an SMMU does not flush it, so the tests can show they catch that. The
    /// flush is inside <see cref="Commit"/>, which a wrapping design cannot reach; the driver never
    /// sets this, and it costs one test of a readonly field per commit.
    /// </summary>
    internal bool OmitLastDetachFlush { get; init; }

    /// <summary>Entries of an unknown type the invalidations of this design met and skipped (Linux warns).</summary>
    public long UnknownEntries => Interlocked.Read(ref unknownEntries);

    /// <summary>The array <paramref name="domain"/> currently publishes.</summary>
    public static InvalidationArray ArrayOf(InvalidationDomain domain) => StateOf(domain).Current;

    /// <summary>The scratch state of <paramref name="master"/>.</summary>
    public static MasterInvalidationState MasterStateOf(Master master) =>
        master.DesignState as MasterInvalidationState ?? throw new InvalidOperationException($"{master.Name} was not added under the linux design");

    /// <summary>Allocates the master's scratch array: 2 entries, or 2 + StreamIDs when ATS-capable (may fail, as probe may).</summary>
    public void OnMasterAdded(Master master) =>
        master.DesignState = new MasterInvalidationState(Allocator.Allocate(MasterInvalidationState.CapacityFor(master)));

    /// <summary>A new domain starts with an empty array (its allocation failing fails the domain's).</summary>
    public object CreateDomainState(InvalidationDomain domain) => new DomainInvalidationState(Allocator.Allocate(0));

    public AttachPlan Prepare(Master master, uint ssid, InvalidationDomain? newTarget, bool newAts, InvalidationDomain? oldTarget, bool oldAts)
    {
        Debug.Assert(master.Iommu.AttachLock.IsHeldByCurrentThread, "the master's scratch array is rebuilt under the attach lock");
        var ms = MasterStateOf(master);
        InvalidationArray? merged = null;
        if (newTarget is not null)
        {
            // Allocates a new array and may throw; the published one is untouched, so a failure
            // leaves every domain as it was.
            merged = StateOf(newTarget).Current.Merge(ms.Build(master, newAts, ssid, newTarget), Allocator);
        }

        InvalidationArray? oldArray = null;
        if (oldTarget is not null)
        {
            // Re-attach to the same domain: the unref applies to the array just merged (the ATS
            // state may differ, so the old entries are not necessarily the new ones).
            oldArray = ReferenceEquals(oldTarget, newTarget) ? merged : StateOf(oldTarget).Current;

            // Overwrites the scratch: the merge above has already copied what it needed. Building
            // allocates nothing, so blocked/identity attaches (no merge) cannot fail here.
            ms.Build(master, ms.MergedAts(ssid, oldAts), ssid, oldTarget);
        }

        return new LinuxAttachPlan(master, ssid, newTarget, newAts, oldTarget, oldAts) { Merged = merged, OldArray = oldArray };
    }

    /// <summary>
    /// Publishes the new domain's merged array. ORDERING: runs before the STE/CD install, so an
    /// invalidation racing with the attach already covers the master once the SMMU can use the new
    /// domain for it. The STE/CD writes that follow are ordered after this release store.
    /// </summary>
    public void InstallNew(AttachPlan plan)
    {
        var p = (LinuxAttachPlan)plan;
        Debug.Assert(p.Master.Iommu.AttachLock.IsHeldByCurrentThread, "arrays are published under the attach lock");
        Debug.Assert(p.Phase == AttachPhase.Prepared, $"the merged array is published before the STE/CD install, not at {p.Phase}");
        if (p.NewTarget is { } target && p.Merged is { } merged)
        {
            Allocator.Waiter.At(OrderingPoint.ArrayPublish);
            StateOf(target).Publish(merged);
            MasterStateOf(p.Master).RecordMerged(p.Ssid, p.NewAts);
        }
    }

    /// <summary>
    /// Removes the master from the old domain's array. ORDERING: runs after the STE/CD install —
    /// until the STE/CD stopped using the old domain, the SMMU could still cache its translations
    /// for the master, so its invalidations had to keep covering it. Never allocates except for the
    /// optional purge, whose failure only leaves trash behind: it cannot fail.
    /// </summary>
    public void Commit(AttachPlan plan)
    {
        var p = (LinuxAttachPlan)plan;
        if (p.Committed)
        {
            throw new InvalidOperationException("attach plan committed twice");
        }

        p.Committed = true;
        Debug.Assert(p.Master.Iommu.AttachLock.IsHeldByCurrentThread, "arrays are unreffed under the attach lock");
        var ms = MasterStateOf(p.Master);
        if (p.OldTarget is { } oldTarget && p.OldArray is { } oldArray)
        {
            var toUnref = ms.Scratch;
            oldArray.Unref(toUnref);
            p.Advance(AttachPhase.AtsUpdated, AttachPhase.Unreffed);

            // Entry 0 of the list is the ASID/VMID. If it just became trash, no master on this SMMU
            // uses the tag any more: clear it from the IOTLB now, because a later unmap of the
            // domain no longer invalidates anything on this SMMU. Invariant: an ASID/VMID missing
            // from an array is clean in that SMMU's TLB. (TLBI_S12_VMALL covers the nested clear.)
            if (!OmitLastDetachFlush && toUnref.Count > 0 && toUnref.UsersAt(0) == 0 && toUnref[0].Type is InvalidationType.S1Asid or InvalidationType.S2Vmid)
            {
                // One command with its CMD_SYNC, on the queue the kernel's arm_smmu_get_cmdq() picks
                // for it: this CPU's VCMDQ on a CMDQV, else the SMMU's CMDQ.
                var tag = toUnref[0];
                var flush = RangeInvalidator.WholeTag(in tag);
                tag.Smmu!.CommandQueueFor(flush).IssueCommandWithSync(flush);
            }

            p.Advance(AttachPhase.Unreffed, AttachPhase.Flushed);

            // Compact if unref left trash in the middle; on allocation failure keep the array.
            if (oldArray.Purge(Allocator) is { } purged)
            {
                StateOf(oldTarget).Replace(oldArray, purged);
            }

            p.Advance(AttachPhase.Flushed, AttachPhase.Purged);
        }
        else
        {
            // No old domain: nothing to unref, flush or purge.
            p.Advance(AttachPhase.AtsUpdated, AttachPhase.Purged);
        }

        if (p.NewTarget is null)
        {
            ms.Forget(p.Ssid);
        }
    }

    /// <summary>Nothing was published by <see cref="Prepare"/>: the merged array is dropped.</summary>
    public void Abort(AttachPlan plan) =>
        Debug.Assert(plan.Phase == AttachPhase.Prepared, $"only an attach that published nothing can be dropped, not one at {plan.Phase}");

    /// <summary>
    /// Linux <c>arm_smmu_domain_inv_range</c>: a full barrier, one snapshot of the array, then the
    /// walk (under the ATC fence only if the snapshot has ATC entries). Allocates nothing.
    /// </summary>
    public void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf)
    {
        // ORDERING: the caller's page-table writes must be visible before the array is loaded. This
        // pairs with the attach, which publishes the array before writing the STE: either the
        // attach's STE install makes the SMMU walk the new IOPTEs, or this load sees the array
        // that lists the newly attached master.
        Interlocked.MemoryBarrier();
        Allocator.Waiter.At(OrderingPoint.ArrayLoad);
        var invs = StateOf(domain).Current;
        if (RangeInvalidator.Invalidate(invs, iova, size, granule, leaf) is var unknown and > 0)
        {
            Interlocked.Add(ref unknownEntries, unknown);
        }
    }

    /// <summary>
    /// Domain free: the last detach of each SMMU already cleared the ASID/VMID, so the (normally
    /// empty) array emits nothing. Whatever entries are still listed are invalidated entirely.
    /// </summary>
    public void OnDomainFree(InvalidationDomain domain) => InvalidateRange(domain, 0, 0, 0, leaf: false);

    private static DomainInvalidationState StateOf(InvalidationDomain domain) =>
        domain.DesignState as DomainInvalidationState ?? throw new InvalidOperationException($"domain {domain.Name} was not created under the linux design");
}
