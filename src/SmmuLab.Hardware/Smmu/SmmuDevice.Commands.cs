using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Queues;

namespace SmmuLab.Hardware.Smmu;

/// <summary>The command queue consumer (IHI0070 4, 7.1).</summary>
public sealed partial class SmmuDevice
{
    /// <summary>An ATC invalidation since the last CMD_SYNC got no completion: the next CMD_SYNC fails with CERROR_ATC_INV_SYNC.</summary>
    private bool atcInvalidationTimedOut;

    /// <summary>
    /// Consumes commands from CONS up to PROD while the queue is enabled and no command error is
    /// active. On an error CONS stays on the failing command, CONS.ERR holds the reason and
    /// GERROR.CMDQ_ERR is raised; consumption resumes once software acknowledges it in GERRORN.
    /// </summary>
    private void ConsumeCommands()
    {
        using (gate.Enter())
        {
            ConsumeCommandsLocked();
        }

        DeliverInterrupts();
    }

    /// <summary>Consumes the main command queue; the caller holds the lock and delivers interrupts afterwards.</summary>
    private void ConsumeCommandsLocked()
    {
        var wasFull = cmdq.IsFull;
        var consumedFrom = cmdq.Cons;
        var sink = new CmdqSink(this);
        CommandConsumer.Run(cmdq, memory, ref sink);

        // An SMMU with SEV signals a WFE wake-up when the command queue goes from full to not
        // full, so producers waiting for space can sleep (MMU-600 r0p0-r0p2 does not: 1076982).
        if (wasFull && cmdq.Cons != consumedFrom && Features.Sev && !errata.NoSevWhenCmdqNotFull)
        {
            sev?.SendEvent();
        }
    }

    /// <summary>
    /// True when <paramref name="cmd"/> has a bit set that is reserved for its opcode on this SMMU
    /// (see <see cref="CommandReservedBits"/>); false for an undefined opcode. A command the CMDQ
    /// consumed with such a bit was executed with it ignored (<see cref="ReservedFieldPolicy.Ignore"/>).
    /// </summary>
    public bool HasReservedBitsSet(in Command cmd) => CommandLayouts.For(cmd.Opcode) is not null && reservedBits.AnySet(cmd);

    /// <summary>
    /// Executes one command; returns the error that stops the queue, or CERROR_NONE.
    /// <paramref name="reservedIgnored"/> is true when the command had reserved bits set and was
    /// executed with them cleared (<see cref="ReservedFieldPolicy.Ignore"/>, 4.1.5).
    /// </summary>
    private CommandError Execute(in Command fetched, out bool reservedIgnored)
    {
        reservedIgnored = false;
        if (CommandLayouts.For(fetched.Opcode) is null)
        {
            return CommandError.CERROR_ILL;
        }

        var cmd = fetched;
        if (reservedBits.AnySet(fetched))
        {
            if (Options.ReservedFields == ReservedFieldPolicy.Error)
            {
                return CommandError.CERROR_ILL;
            }

            cmd = reservedBits.Clear(fetched);
            reservedIgnored = true;
        }

        if (!IsImplemented(cmd))
        {
            return CommandError.CERROR_ILL;
        }

        switch (cmd.Opcode)
        {
            case Opcode.CMD_PREFETCH_ADDR:
                // A hint to prefetch configuration and TLB entries (4.2.2: an implementation need not
                // prefetch any); this model fills its caches only on use, whatever Size and Stride say.
                return CommandError.CERROR_NONE;
            case Opcode.CMD_PREFETCH_CONFIG:
            case Opcode.CMD_CFGI_STE:
            case Opcode.CMD_CFGI_STE_RANGE:
            case Opcode.CMD_CFGI_CD:
            case Opcode.CMD_CFGI_CD_ALL:
                Clock.Advance(Options.Costs.InvalidationNs);
                InvalidateConfiguration(cmd);
                return CommandError.CERROR_NONE;
            case Opcode.CMD_ATC_INV:
                InvalidateAtc(cmd);
                return CommandError.CERROR_NONE;
            case Opcode.CMD_PRI_RESP:
            case Opcode.CMD_RESUME:
            case Opcode.CMD_STALL_TERM:
                // Accepted only when implemented (IsImplemented); no PRI requests or stalls are outstanding in this model.
                return CommandError.CERROR_NONE;
            case Opcode.CMD_SYNC:
                return CompleteSync(cmd);
            default:
                if (!InvalidateTlb(cmd, out var removed))
                {
                    return CommandError.CERROR_ILL;
                }

                Clock.Advance(Options.Costs.InvalidationNs + (removed * Options.Costs.InvalidationPerEntryNs));
                return CommandError.CERROR_NONE;
        }
    }

    /// <summary>
    /// CERROR_ILL also covers commands "irrelevant to the implementation" and illegal parameters
    /// (7.1): stage-1 TLBIs without S1P, stage-2 without S2P, EL2 without HYP, EL3 and SSec=1 on the
    /// Non-secure queue (ILLEGAL whatever the reserved-field policy, 4.1.6), range fields without RIL,
    /// ASID/VMID[15:8] without 16-bit support, ATC_INV without ATS, PRI_RESP without PRI,
    /// RESUME/STALL_TERM without stall support. Reserved bits (SCALE[5], TTL128, high address bits...)
    /// are <see cref="CommandReservedBits"/>'s, checked before this.
    /// </summary>
    private bool IsImplemented(in Command cmd)
    {
        var f = Features;
        if (cmd.Get(CommandLayouts.SSec) != 0 && CommandLayouts.For(cmd.Opcode)!.TryGetField("ssec", out _))
        {
            return false;
        }

        var rangeFields = cmd.Get(CommandLayouts.Num) | cmd.Get(CommandLayouts.Scale) | cmd.Get(CommandLayouts.Tg) | cmd.Get(CommandLayouts.Ttl);
        switch (cmd.Opcode)
        {
            case Opcode.CMD_TLBI_NH_ALL:
            case Opcode.CMD_TLBI_NH_ASID:
                return f.Stage1 && WidthsOk(cmd, asid: cmd.Opcode == Opcode.CMD_TLBI_NH_ASID);
            case Opcode.CMD_TLBI_NH_VA:
            case Opcode.CMD_TLBI_NH_VAA:
                return f.Stage1 && WidthsOk(cmd, asid: cmd.Opcode == Opcode.CMD_TLBI_NH_VA) && (f.RangeInvalidation || rangeFields == 0);
            case Opcode.CMD_TLBI_EL2_ALL:
            case Opcode.CMD_TLBI_EL2_ASID:
                return f.Hyp && f.Nesting && WidthsOk(cmd, asid: cmd.Opcode == Opcode.CMD_TLBI_EL2_ASID, vmid: false);
            case Opcode.CMD_TLBI_EL2_VA:
            case Opcode.CMD_TLBI_EL2_VAA:
                return f.Hyp && f.Nesting && WidthsOk(cmd, asid: cmd.Opcode == Opcode.CMD_TLBI_EL2_VA, vmid: false)
                    && (f.RangeInvalidation || rangeFields == 0);
            case Opcode.CMD_TLBI_EL3_ALL:
            case Opcode.CMD_TLBI_EL3_VA:
                return false;
            case Opcode.CMD_TLBI_S12_VMALL:
                return f.Stage2 && WidthsOk(cmd, asid: false);
            case Opcode.CMD_TLBI_S2_IPA:
                return f.Stage2 && WidthsOk(cmd, asid: false) && (f.RangeInvalidation || rangeFields == 0);
            case Opcode.CMD_ATC_INV:
                return f.Ats && cmd.Get(CommandLayouts.AtcSize) <= CommandLayouts.AtcInvSizeAll;
            case Opcode.CMD_PRI_RESP:
                return f.Pri && cmd.Get(CommandLayouts.PriResp) != 3;
            case Opcode.CMD_RESUME:
            case Opcode.CMD_STALL_TERM:
                return f.StallModel != 1;
            case Opcode.CMD_CFGI_CD:
            case Opcode.CMD_CFGI_CD_ALL:
                return f.Stage1;
            case Opcode.CMD_SYNC:
                return cmd.Get(CommandLayouts.Cs) != 3;
            default:
                return true;
        }
    }

    private bool WidthsOk(in Command cmd, bool asid, bool vmid = true) =>
        (!asid || Features.Asid16 || cmd.Get(CommandLayouts.Asid) <= byte.MaxValue)
        && (!vmid || Features.Vmid16 || cmd.Get(CommandLayouts.Vmid) <= byte.MaxValue);

    /// <summary>
    /// CMD_SYNC: every earlier command has completed once it is consumed (this model executes
    /// commands to completion in order), except that a timed-out ATC invalidation fails it with
    /// CERROR_ATC_INV_SYNC. Then the completion is signalled per CS.
    /// </summary>
    private CommandError CompleteSync(in Command cmd)
    {
        if (atcInvalidationTimedOut)
        {
            atcInvalidationTimedOut = false;
            return CommandError.CERROR_ATC_INV_SYNC;
        }

        // Every command before this one has taken effect; a page of DMA made without the lock that
        // may have used what they removed must end before the completion is visible.
        WaitForUnlockedDma();
        Clock.Advance(Options.Costs.SyncNs);
        switch ((SyncCompletion)cmd.Get(CommandLayouts.Cs))
        {
            case SyncCompletion.SIG_IRQ:
                // 4.7.3: with MSIs, MSIData is written to MSIAddress when the whole MSIAddress field is
                // non-zero (the write itself truncated to the OAS); without MSIs both are IGNORED. With
                // wired lines, the CMD_SYNC line is pulsed regardless of MSIAddress.
                if (Features.Msi && CommandLayouts.MsiAddr.GetAddress(cmd.Dw1) is var addr and not 0)
                {
                    SendMsi(addr, (uint)cmd.Get(CommandLayouts.MsiData), GError.MSI_CMDQ_ABT_ERR);
                }

                if (Features.WiredInterrupts)
                {
                    pendingInterrupts |= 1u << (int)SmmuInterrupt.CmdSync;
                }

                break;
            case SyncCompletion.SIG_SEV:
                // Without IDR0.SEV the SMMU raises no event; the waiter's poll still sees CONS move.
                if (Features.Sev)
                {
                    sev?.SendEvent();
                }

                break;
            default:
                break;
        }

        return CommandError.CERROR_NONE;
    }

    /// <summary>
    /// CMD_ATC_INV: forwarded to the endpoint that owns the StreamID. Ignored while SMMUEN = 0
    /// (6.3.9.6: the ATS interface is down). An endpoint that does not complete the request makes
    /// the next CMD_SYNC fail with CERROR_ATC_INV_SYNC.
    /// </summary>
    private void InvalidateAtc(in Command cmd)
    {
        if (!SmmuEnabled)
        {
            return;
        }

        if (invalidationListener is not null)
        {
            NotifyInvalidated(AtcScope(cmd));
        }

        var sid = (uint)cmd.Get(CommandLayouts.Sid);
        if (!endpointsBySid.TryGetValue(sid, out var endpoint))
        {
            return;
        }

        Clock.Advance(Options.Costs.AtcInvalidationRoundTripNs);
        var ssv = cmd.Get(CommandLayouts.Ssv) != 0;
        var completed = endpoint.ReceiveAtcInvalidation(
            sid,
            ssv ? (uint)cmd.Get(CommandLayouts.Ssid) : null,
            CommandLayouts.Addr.GetAddress(cmd.Dw1),
            (int)cmd.Get(CommandLayouts.AtcSize),
            cmd.Get(CommandLayouts.Global) != 0);
        if (!completed)
        {
            atcInvalidationTimedOut = true;
        }
    }
}
