using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Commands;

namespace SmmuLab.Hardware.Cmdqv;

/// <summary>
/// What a VCMDQ does to a command before the SMMU executes it. Every VCMDQ completes CMD_SYNC by
/// CONS only, so a CMD_SYNC must have CS = SIG_NONE. A queue of a guest-owned VINTF (HYP_OWN = 0)
/// further accepts only CMD_TLBI_NH_ASID, CMD_TLBI_NH_VA and CMD_ATC_INV: the TLBIs get the
/// VINTF's VMID in place of theirs, and an ATC_INV's StreamID, a guest (virtual) one, is replaced by
/// the physical StreamID of the matching SID_MATCH/SID_REPLACE pair.
/// </summary>
/// <remarks>
/// Model choices where no source says what the silicon does: a refused opcode or a CMD_SYNC with
/// another CS stops the queue with ILL_OPCODE; a virtual StreamID with no match stops it with
/// ILL_ACCESS.
/// </remarks>
internal static class GuestCommandFilter
{
    /// <summary>The opcodes a guest-owned VINTF's queues execute, besides CMD_SYNC.</summary>
    public static bool IsGuestOpcode(Opcode op) => op is Opcode.CMD_TLBI_NH_ASID or Opcode.CMD_TLBI_NH_VA or Opcode.CMD_ATC_INV;

    /// <summary>Checks and rewrites <paramref name="cmd"/> for a queue of <paramref name="vintf"/>; NONE lets it through.</summary>
    public static VcmdqError Apply(ref Command cmd, bool hypOwn, ushort vmid, VirtualInterface vintf, VcmdqStatistics stats)
    {
        if (cmd.Opcode == Opcode.CMD_SYNC)
        {
            return (SyncCompletion)cmd.Get(CommandLayouts.Cs) == SyncCompletion.SIG_NONE ? VcmdqError.NONE : VcmdqError.ILL_OPCODE;
        }

        if (hypOwn)
        {
            return VcmdqError.NONE;
        }

        switch (cmd.Opcode)
        {
            case Opcode.CMD_TLBI_NH_ASID:
            case Opcode.CMD_TLBI_NH_VA:
                cmd = cmd.With(CommandLayouts.Vmid, vmid);
                stats.CountVmidReplaced();
                return VcmdqError.NONE;
            case Opcode.CMD_ATC_INV:
                uint? physical;
                lock (vintf.Gate)
                {
                    physical = vintf.TranslateSid((uint)cmd.Get(CommandLayouts.Sid));
                }

                if (physical is not { } sid)
                {
                    return VcmdqError.ILL_ACCESS;
                }

                cmd = cmd.With(CommandLayouts.Sid, sid);
                stats.CountSidReplaced();
                return VcmdqError.NONE;
            default:
                return VcmdqError.ILL_OPCODE;
        }
    }
}
