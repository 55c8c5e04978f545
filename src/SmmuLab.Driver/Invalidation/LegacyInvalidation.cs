using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Masters;
using SmmuLab.Driver.Probe;

namespace SmmuLab.Driver.Invalidation;

/// <summary>
/// The invalidation design of Linux before 7.1: a domain belongs to one SMMU and keeps the list of
/// attached masters under a lock; a range invalidation issues the ASID/VMID TLBIs and a CMD_SYNC,
/// then, when any master has ATS, one ATC_INV per StreamID of each such master and a CMD_SYNC.
/// Attaching a domain to a second SMMU is refused, as Linux did.
/// </summary>
internal sealed class LegacyInvalidation : IInvalidationDesign
{
    public string Name => InvalidationDesigns.Legacy;

    public void OnMasterAdded(Master master)
    {
    }

    public object CreateDomainState(InvalidationDomain domain) => new DomainState();

    public AttachPlan Prepare(Master master, uint ssid, InvalidationDomain? newTarget, bool newAts, InvalidationDomain? oldTarget, bool oldAts)
    {
        if (newTarget is not null)
        {
            var state = StateOf(newTarget);
            lock (state)
            {
                if (state.Smmu is { } owner && owner != master.Smmu)
                {
                    throw new DomainAttachException(
                        $"domain {newTarget.Name} is attached to {owner.Name}; the legacy design keeps one SMMU per domain and cannot attach it to {master.Smmu.Name}");
                }
            }
        }

        return new AttachPlan(master, ssid, newTarget, newAts, oldTarget, oldAts);
    }

    /// <summary>The master joins the new domain's list before its STE/CD points at the domain.</summary>
    public void InstallNew(AttachPlan plan)
    {
        Debug.Assert(plan.Phase == AttachPhase.Prepared, $"the master joins the new domain's list before the STE/CD install, not at {plan.Phase}");
        if (plan.NewTarget is not { } target)
        {
            return;
        }

        var state = StateOf(target);
        lock (state)
        {
            state.Smmu ??= plan.Master.Smmu;
            state.Devices.Add(new Attached(plan.Master, plan.Ssid, plan.NewAts));
        }
    }

    /// <summary>The master leaves the old domain's list once its STE/CD no longer points there.</summary>
    public void Commit(AttachPlan plan)
    {
        if (plan.OldTarget is { } target)
        {
            var state = StateOf(target);
            lock (state)
            {
                var i = state.Devices.FindIndex(d => d.Master == plan.Master && d.Ssid == plan.Ssid);
                if (i >= 0)
                {
                    state.Devices.RemoveAt(i);
                }
            }
        }

        plan.Advance(AttachPhase.AtsUpdated, AttachPhase.Unreffed);
    }

    public void Abort(AttachPlan plan)
    {
    }

    public void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf)
    {
        var state = StateOf(domain);
        var smmu = Volatile.Read(ref state.Smmu);
        if (smmu is null)
        {
            return;
        }

        InvalidateTlb(smmu, domain, iova, size, granule, leaf);
        InvalidateAtcs(smmu, domain, state, iova, size);
    }

    /// <summary>The legacy domain free: its ASID/VMID is flushed from the SMMU it used.</summary>
    public void OnDomainFree(InvalidationDomain domain)
    {
        var state = StateOf(domain);
        if (state.Smmu is { } smmu)
        {
            InvalidateTlb(smmu, domain, 0, 0, 0, leaf: false);
        }
    }

    [SkipLocalsInit]
    private static void InvalidateTlb(SmmuDriver smmu, InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf)
    {
        var ril = smmu.Features.RangeInvalidation;
        var pageShift = ril ? BitOperations.TrailingZeroCount(domain.PageSizeBitmap) : 0;
        if (InvalidationCommands.UseWholeTag(ril, smmu.Options.RangeFallback, iova, size, granule, pageShift, leaf))
        {
            var all = domain.IsStage1
                ? (smmu.Features.E2H ? Command.TlbiEl2Asid(domain.Tag) : Command.TlbiNhAsid(0, domain.Tag))
                : Command.TlbiS12Vmall(domain.Tag);
            smmu.IssueWithSync([all]);
        }
        else
        {
            var template = domain.IsStage1
                ? Command.TlbiByAddress(smmu.Features.E2H ? Opcode.CMD_TLBI_EL2_VA : Opcode.CMD_TLBI_NH_VA, 0, domain.Tag, 0, leaf)
                : Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, domain.Tag, 0, 0, leaf);

            // The batch's queue is chosen by the template's opcode (a CMDQV may take only some).
            var batch = smmu.NewBatch(stackalloc Command[Cmdq.CommandBatch.Capacity], template);
            InvalidationCommands.AddSplit(ref batch, template, leaf, iova, size, granule, pageShift);
            batch.Submit();
        }

        if (domain.IsNestParent)
        {
            // Guest stage-1 entries sit on the parent's VMID: they go too.
            smmu.IssueWithSync([Command.TlbiNhAll(domain.Tag)]);
        }
    }

    /// <summary>
    /// One ATC_INV per StreamID of every ATS master, built while holding the domain's device-list
    /// lock (Linux's devices_lock), submitted with one CMD_SYNC after it is released.
    /// </summary>
    /// <remarks>The storage is allocated in this loop-free method so that the loop in
    /// <see cref="AddAtcInvs"/> keeps the JIT's tiering (see <c>RangeInvalidator.Run</c>).</remarks>
    [SkipLocalsInit]
    private static void InvalidateAtcs(SmmuDriver smmu, InvalidationDomain domain, DomainState state, ulong iova, ulong size) =>
        AddAtcInvs(stackalloc Command[Cmdq.CommandBatch.Capacity], smmu, domain, state, iova, size);

    private static void AddAtcInvs(Span<Command> storage, SmmuDriver smmu, InvalidationDomain domain, DomainState state, ulong iova, ulong size)
    {
        var batch = smmu.NewBatch(storage, InvalidationCommands.AtcInv(0, 0, 0, 0));
        lock (state)
        {
            foreach (var d in state.Devices)
            {
                if (!d.Ats)
                {
                    continue;
                }

                var sids = d.Master.StreamIds;
                for (var i = 0; i < sids.Count; i++)
                {
                    // A nesting parent cannot know which guest addresses an S2 change affects: flush it all.
                    batch.Add(domain.IsNestParent ? InvalidationCommands.AtcInv(sids[i], 0, 0, 0) : InvalidationCommands.AtcInv(sids[i], d.Ssid, iova, size));
                }
            }
        }

        if (batch.Count > 0)
        {
            batch.Submit();
        }
    }

    private static DomainState StateOf(InvalidationDomain domain) => (DomainState)domain.DesignState;

    private readonly record struct Attached(Master Master, uint Ssid, bool Ats);

    private sealed class DomainState
    {
        public SmmuDriver? Smmu;

        public List<Attached> Devices { get; } = [];
    }
}
