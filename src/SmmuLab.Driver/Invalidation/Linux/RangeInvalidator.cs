using System.Runtime.CompilerServices;
using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Invalidation.Linux;

/// <summary>
/// Turns one snapshot of an invalidation array into commands (Linux
/// <c>arm_smmu_domain_inv_range</c> and its inner function): one pass over the live entries, each
/// SMMU's commands collected in <see cref="CommandBatch"/>es for its own queue, a CMD_SYNC at
/// every group boundary. Allocates nothing.
/// </summary>
/// <remarks>
/// Per SMMU there are at most three CMD_SYNC-terminated groups, in this order: the ASID/VMID
/// TLBIs; the nested stage-1 clear (TLBI_NH_ALL) of a nesting parent; all ATC_INVs. The
/// boundaries are what make it correct: an ATC is only invalidated once the IOTLB entries it
/// could refill from are gone, and the nested clear follows the stage-2 TLBIs it depends on.
/// </remarks>
internal static class RangeInvalidator
{
    /// <summary>
    /// The outer function: enters the array's ATC fence for reading only when the array has ATC
    /// entries, runs <see cref="Run"/>, leaves it. Without ATC entries nothing can block here.
    /// Returns the entries of an unknown type that were skipped.
    /// </summary>
    public static int Invalidate(InvalidationArray invs, ulong iova, ulong size, ulong granule, bool leaf)
    {
        if (!invs.HasAts)
        {
            // No ATC invalidation can race with a detach of this array: no fence needed.
            return Run(invs, iova, size, granule, leaf);
        }

        // Held across generation, submission and the CMD_SYNC waits, so that an unref (write
        // side) returns only once every ATC_INV for the entries it removed has completed.
        invs.Fence.Waiter.At(OrderingPoint.ArrayEntry);
        invs.Fence.EnterRead();
        try
        {
            return Run(invs, iova, size, granule, leaf);
        }
        finally
        {
            invs.Fence.ExitRead();
        }
    }

    /// <summary>
    /// The inner function: emits the commands of every live entry of <paramref name="invs"/> for
    /// [iova, iova + size) (size 0: everything) and waits for their CMD_SYNCs. Returns the entries of
    /// an unknown type met, and skipped (Linux warns).
    /// </summary>
    /// <remarks>
    /// The batch's storage is allocated here, in a method without a loop, and the pass runs in
    /// <see cref="Pass"/>: the JIT compiles a method with both a loop and a stack allocation fully
    /// optimised at once, without the profile-guided inlining the hot pass gets from tiering.
    /// </remarks>
    [SkipLocalsInit]
    public static int Run(InvalidationArray invs, ulong iova, ulong size, ulong granule, bool leaf) =>
        Pass(stackalloc Command[CommandBatch.Capacity], invs, iova, size, granule, leaf);

    private static int Pass(Span<Command> storage, InvalidationArray invs, ulong iova, ulong size, ulong granule, bool leaf)
    {
        // Count read once: an unref may lower it meanwhile; the entries it cuts off are trash
        // (users 0) and skipped below, so the old bound is safe.
        var end = invs.Count;
        var cur = invs.NextLive(0, end);
        if (cur >= end)
        {
            return 0;
        }

        var unknown = 0;

        // One batch for the whole pass, on the stack, moved between queues while empty.
        var batch = invs[cur].Smmu!.NewBatch(storage, FirstCommandOf(in invs[cur]));
        var waiter = invs.Fence.Waiter;
        while (cur < end)
        {
            waiter.At(OrderingPoint.ArrayEntry);
            ref readonly var inv = ref invs[cur];
            if (batch.Count == 0)
            {
                // A new batch goes to the queue of the entry that opens it: the SMMU's command queue
                // for this kind of command (a Tegra241 VCMDQ of this thread, or the main CMDQ).
                batch.Retarget(inv.Smmu!.QueueChooser, FirstCommandOf(in inv));
            }

            // The per-entry work is a separate method: whatever an entry does (emit, skip because
            // too big, or skip as unknown) it returns here, and the advance below always runs.
            // Linux's original loop had "continue" in two arms, which skipped the advance and spun
            // forever on a too-big nesting-parent invalidation; its fix is the break this mirrors.
            if (!AddEntry(ref batch, in inv, iova, size, granule, leaf))
            {
                unknown++;
            }

            var next = invs.NextLive(cur + 1, end);
            if (batch.Count != 0 && (next == end || EndsBatch(in inv, in invs[next])))
            {
                batch.Submit();
            }

            cur = next;
        }

        return unknown;
    }

    /// <summary>
    /// True when the commands collected up to <paramref name="cur"/> must complete (CMD_SYNC) before
    /// <paramref name="next"/>'s: another SMMU (another queue); the first nested stage-1 clear after
    /// stage-2 TLBIs; the first ATC entry after TLB entries.
    /// </summary>
    public static bool EndsBatch(in InvalidationEntry cur, in InvalidationEntry next)
    {
        if (cur.Smmu != next.Smmu)
        {
            return true;
        }

        if (cur.Type != InvalidationType.S2VmidS1Clear && next.Type == InvalidationType.S2VmidS1Clear)
        {
            return true;
        }

        return !cur.Type.IsAts() && next.Type.IsAts();
    }

    /// <summary>Adds the commands of one entry; false for an entry of an unknown type (nothing added).</summary>
    private static bool AddEntry(ref CommandBatch batch, in InvalidationEntry inv, ulong iova, ulong size, ulong granule, bool leaf)
    {
        switch (inv.Type)
        {
            case InvalidationType.S1Asid:
                AddTlbi(ref batch, in inv, Command.TlbiByAddress(inv.SizeOpcode, 0, (ushort)inv.Id, 0, leaf), iova, size, granule, leaf);
                break;
            case InvalidationType.S2Vmid:
                AddTlbi(ref batch, in inv, Command.TlbiByAddress(inv.SizeOpcode, (ushort)inv.Id, 0, 0, leaf), iova, size, granule, leaf);
                break;
            case InvalidationType.S2VmidS1Clear:
                // Too big: the S2_VMID entry before it issued TLBI_S12_VMALL, which already cleared
                // the nested stage-1 entries of the VMID.
                if (!InvalidationCommands.SizeTooBig(inv.Smmu!.Features.RangeInvalidation, size, granule))
                {
                    batch.Add(Command.TlbiNhAll((ushort)inv.Id));
                }

                break;
            case InvalidationType.Ats:
                batch.Add(InvalidationCommands.AtcInv(inv.Id, inv.Ssid, iova, size));
                break;
            case InvalidationType.AtsFull:
                // A nesting parent cannot tell which guest addresses a stage-2 change touches.
                batch.Add(InvalidationCommands.AtcInv(inv.Id, 0, 0, 0));
                break;
            default:
                return false;
        }

        return true;
    }

    /// <summary>
    /// A TLB entry: the whole tag when the range is too big (or everything) or, with
    /// <see cref="Probe.DriverOptions.RangeFallback"/>, cannot be expressed; else the range split.
    /// </summary>
    private static void AddTlbi(ref CommandBatch batch, in InvalidationEntry inv, in Command template, ulong iova, ulong size, ulong granule, bool leaf)
    {
        var smmu = inv.Smmu!;
        if (InvalidationCommands.UseWholeTag(smmu.Features.RangeInvalidation, smmu.Options.RangeFallback, iova, size, granule, inv.PageShift, leaf))
        {
            batch.Add(WholeTag(in inv));
        }
        else
        {
            InvalidationCommands.AddSplit(ref batch, template, leaf, iova, size, granule, inv.PageShift);
        }
    }

    /// <summary>A command of the kind the entry emits, to choose the queue its batch goes to.</summary>
    private static Command FirstCommandOf(in InvalidationEntry inv) => new((ulong)inv.SizeOpcode, 0);

    /// <summary>The entry's whole-tag command: TLBI_NH_ASID (VMID 0), TLBI_EL2_ASID or TLBI_S12_VMALL.</summary>
    internal static Command WholeTag(in InvalidationEntry inv) => inv.NsizeOpcode switch
    {
        Opcode.CMD_TLBI_NH_ASID => Command.TlbiNhAsid(0, (ushort)inv.Id),
        Opcode.CMD_TLBI_EL2_ASID => Command.TlbiEl2Asid((ushort)inv.Id),
        Opcode.CMD_TLBI_S12_VMALL => Command.TlbiS12Vmall((ushort)inv.Id),
        Opcode.CMD_TLBI_NH_ALL => Command.TlbiNhAll((ushort)inv.Id),
        _ => throw new InvalidOperationException($"no whole-tag command for {inv}"),
    };
}
