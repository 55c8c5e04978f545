using System.Diagnostics;
using System.Runtime.CompilerServices;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Configuration;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Smmu;

/// <summary>Untranslated transactions from endpoints (IHI0070 3.3, 5, 7.3).</summary>
public sealed partial class SmmuDevice
{
    /// <summary>How the last translation under the lock was answered, for observers (written on every path, read only when observed).</summary>
    private TranslationPath translationPath;

    /// <summary>
    /// Translates one untranslated transaction of StreamID <paramref name="sid"/> (with an optional
    /// SubstreamID) at <paramref name="address"/>. Configuration errors and recorded faults are
    /// written to the event queue; the result says whether and where the access may go.
    /// </summary>
    public TransactionResult Translate(uint sid, uint? ssid, ulong address, AccessKind access)
    {
        TransactionResult result;
        if (!translationsWatched && TryTranslateLockFree(sid, ssid, address, access, out result))
        {
            return result;
        }

        bool quiet;
        using (gate.EnterToTranslate())
        {
            // The unobserved TLB hit is the hot path: kept small here, so that it inlines into
            // the caller without the locals of the walk and fault paths, which are out of line.
            if (!translationsWatched)
            {
                Statistics.CountTranslation();
                if (SmmuEnabled && TryTranslateFromTlb(sid, ssid, address, access, out result))
                {
                    Statistics.CountTlbHitTransaction();
                    return result;
                }

                quiet = TranslateMissLocked(sid, ssid, address, access, out result);
            }
            else
            {
                quiet = TranslateObservedLocked(observer!, sid, ssid, address, access, out result);
            }
        }

        if (!quiet)
        {
            DeliverInterrupts();
        }

        return result;
    }

    /// <summary>
    /// <see cref="Translate"/> for a caller that holds the device lock (the endpoint's walked runs,
    /// and its page-at-a-time path under an observer that wants the lock): the full path at once,
    /// without first looking the TLB up without the lock and again under it. A hit found there is counted and timed as those lookups
    /// would have counted it, so the statistics and the modeled time are <see cref="Translate"/>'s.
    /// </summary>
    internal TransactionResult TranslateLockHeld(uint sid, uint? ssid, ulong address, AccessKind access)
    {
        if (translationsWatched)
        {
            return Translate(sid, ssid, address, access);
        }

        Statistics.CountTranslation();
        if (!TranslateMissLocked(sid, ssid, address, access, out var result))
        {
            DeliverInterrupts();
        }

        return result;
    }

    /// <summary><see cref="Translate"/> under the device lock with an observer: the same path, reported.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TranslateObservedLocked(ISmmuObserver o, uint sid, uint? ssid, ulong address, AccessKind access, out TransactionResult result)
    {
        var startNs = Clock.Nanoseconds;
        translationPath = TranslationPath.None;
        Statistics.CountTranslation();
        bool quiet;
        if (SmmuEnabled && TryTranslateFromTlb(sid, ssid, address, access, out result))
        {
            Statistics.CountTlbHitTransaction();
            translationPath = TranslationPath.TlbHit;
            quiet = true;
        }
        else
        {
            quiet = TranslateMissLocked(sid, ssid, address, access, out result);
        }

        o.Translated(this, new TranslationObservation(sid, ssid, address, access, result.Outcome, result.PhysicalAddress, result.Fault,
            translationPath, translationPath == TranslationPath.Walk ? walker.LastWalkSteps : 0, startNs, Clock.Nanoseconds));
        return quiet;
    }

    /// <summary>
    /// <see cref="Translate"/> under the device lock when the TLB fast path did not answer (or the
    /// SMMU is disabled), translation already counted. Returns true when the path taken cannot have
    /// raised an interrupt (SMMU disabled), so the caller skips delivering them.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TranslateMissLocked(uint sid, uint? ssid, ulong address, AccessKind access, out TransactionResult result)
    {
        if (!SmmuEnabled)
        {
            // SMMUEN = 0: every Non-secure transaction bypasses with the GBPA attributes, or aborts;
            // an address beyond the OAS aborts without an event (3.4).
            result = Gbpa.ABORT.IsSet(gbpa) ? Aborted(null, SilentAbort.GlobalAbort)
                : !Fits(address, Features.OutputAddressBits) ? Aborted(null, SilentAbort.BypassBeyondOas)
                : Bypassed(address);
            Statistics.CountTransaction(result.Outcome, fromTlb: false);
            return true;
        }

        var config = LookupConfiguration(sid, ssid);
        translationPath = TranslationPath.None;
        result = config.Status switch
        {
            ConfigStatus.Ok => TranslateWith(config, sid, ssid, address, config.Stream!.EffectiveAccess(access)),
            ConfigStatus.Fault => ConfigurationFault(config, sid, ssid, address, access),
            _ => Aborted(null, Silently(config.Fault)),
        };
        Statistics.CountTransaction(result.Outcome, fromTlb: translationPath == TranslationPath.TlbHit);
        return false;
    }

    /// <summary>
    /// The translation itself once the configuration is known: stage 1 (with the CD's table),
    /// stage 2, or nested, through the TLB and on a miss the table walker. <paramref name="access"/>
    /// is the post-STE-override access (<see cref="StreamConfig.EffectiveAccess"/>). An ATS probe
    /// (the translation behind a Translation Request) records no fault and counts no transaction.
    /// </summary>
    private TransactionResult TranslateWith(in ConfigResult config, uint sid, uint? ssid, ulong address, AccessKind access, bool atsProbe = false)
    {
        // Walks and TLB fills happen only in holds that quiet commands see (DeviceGate).
        Debug.Assert(gate.IsHeldToTranslate, "a translation outside a translating hold of the device lock");

        var ste = config.Stream!;
        if (ste.Kind == StreamConfigKind.Bypass)
        {
            // Both stages bypassed: an address beyond the OAS is never truncated (3.4).
            return Fits(address, Features.OutputAddressBits) ? Bypassed(address) : BypassAddressSizeFault(sid, ssid, address, access, atsProbe);
        }

        WalkResult walk;
        bool hit;
        var cd = config.Context;
        if (cd is null)
        {
            // Stage 1 bypassed (Config = S2 only, or S1DSS = bypass for a transaction without a
            // SubstreamID): the input address is the IPA and must fit the IAS (3.4). An IPA within
            // the IAS but beyond S2T0SZ is then a stage-2 F_TRANSLATION from the walk.
            if (!Fits(address, Features.IntermediateAddressBits))
            {
                return BypassAddressSizeFault(sid, ssid, address, access, atsProbe);
            }

            if (!ste.Stage2Enabled)
            {
                return Bypassed(address);
            }

            walk = tlb.Translate(walker, TranslationContext.Stage2Only(ste.Vmid), null, ste.Stage2, address, access, out hit);
        }
        else
        {
            var selection = cd.SelectTable(address);
            if (!selection.Ok)
            {
                return Fault(selection.Fault, sid, ssid, address, access, cd.Record, razWi: !cd.AbortOnTerminate, atsProbe);
            }

            var tt = selection.Parameters with { UpperRange = selection.Table == 1 };
            var tbi = selection.Table == 1 ? cd.Tbi1 : cd.Tbi0;
            var va = tbi ? SignExtendTopByte(address) : address;
            var context = new TranslationContext(RegimeOf(cd.StreamWorld),
                ste.Stage2Enabled ? TranslationStages.Nested : TranslationStages.Stage1, ste.VmidTagged ? ste.Vmid : (ushort)0, cd.Asid);
            walk = tlb.Translate(walker, context, tt, ste.Stage2Enabled ? ste.Stage2 : null, va, access, out hit);
        }

        Clock.Advance(hit ? Options.Costs.TlbHitNs : walker.LastWalkSteps * Options.Costs.WalkStepNs);
        translationPath = hit ? TranslationPath.TlbHit : TranslationPath.Walk;
        if (walk.Ok)
        {
            return new TransactionResult(TransactionOutcome.Translated, walk.OutputAddress, walk.BlockShift);
        }

        var recordFault = walk.FaultIsStage2 ? ste.S2Record : cd!.Record;
        return Fault(walk, sid, ssid, address, access, recordFault, razWi: !walk.FaultIsStage2 && cd is { AbortOnTerminate: false }, atsProbe);
    }

    /// <summary>
    /// A translation-class fault or walk abort. F_TRANSLATION, F_ADDR_SIZE, F_ACCESS and
    /// F_PERMISSION are recorded only when the stage's R bit (CD.R, STE.S2R) is set, and only those
    /// are RAZ/WI under CD.A = 0; F_WALK_EABT is always recorded (5.5). For an ATS probe nothing is
    /// recorded, except a walk abort (a configuration-class error for ATS) under CR2.REC_CFG_ATS (3.9.1.2).
    /// </summary>
    private TransactionResult Fault(in WalkResult fault, uint sid, uint? ssid, ulong address, AccessKind access, bool record, bool razWi,
        bool atsProbe = false)
    {
        if (atsProbe)
        {
            if (fault.Fault == EventId.F_WALK_EABT && Cr2.REC_CFG_ATS.IsSet(cr2))
            {
                RecordEvent(FaultRecord(fault, sid, ssid, address, access));
            }

            return TransactionResult.Abort(fault.Fault);
        }

        Statistics.CountFault();
        var translationClass = IsTranslationClass(fault.Fault);
        if (record || fault.Fault == EventId.F_WALK_EABT)
        {
            RecordEvent(FaultRecord(fault, sid, ssid, address, access));
        }

        if (razWi && translationClass)
        {
            return new TransactionResult(TransactionOutcome.RazWi, 0, 0, fault.Fault);
        }

        Statistics.CountAbort();
        return TransactionResult.Abort(fault.Fault);
    }

    /// <summary>
    /// A stage-1 F_ADDR_SIZE (S2 = 0, CLASS = IN) for an input address too large for a bypassed
    /// stage 1 (3.4, 7.3.14). No CD applies, so it is always recorded and always aborts (3.12).
    /// </summary>
    private TransactionResult BypassAddressSizeFault(uint sid, uint? ssid, ulong address, AccessKind access, bool atsProbe) =>
        Fault(WalkResult.Faulted(EventId.F_ADDR_SIZE, false, FaultClass.IN), sid, ssid, address, access, record: true, razWi: false, atsProbe);

    /// <summary>The record of a translation fault or walk abort: access, stage, class, InputAddr, and IPA or FetchAddr.</summary>
    private static EventRecord FaultRecord(in WalkResult fault, uint sid, uint? ssid, ulong address, AccessKind access)
    {
        var instruction = (access & AccessKind.Instruction) != 0 && !access.IsWrite();
        var rec = EventRecord.Create(fault.Fault, sid, ssid)
            .WithAccess(!access.IsWrite(), instruction, (access & AccessKind.Privileged) != 0)
            .WithFault(fault.FaultIsStage2, fault.FaultClass);
        var dw3 = fault.Fault == EventId.F_WALK_EABT
            ? EventRecord.FetchAddr.InsertAddress(0, fault.FetchAddress)
            : fault.FaultIsStage2 ? EventRecord.IPA.InsertAddress(0, fault.FaultIpa) : 0;
        if (fault.Fault == EventId.F_PERMISSION && fault.FaultClass == FaultClass.TT)
        {
            rec = rec with { Dw1 = EventRecord.TTRnW.Insert(rec.Dw1, 1) }; // a descriptor read (no HTTU writes)
        }

        return rec with { Dw2 = address, Dw3 = dw3 };
    }

    /// <summary>
    /// A failed configuration lookup: its event is always recorded, except a stage-2 fault on a CD
    /// fetch, which follows STE.S2R. Once a legal STE is known, its PRIVCFG/INSTCFG apply to the record.
    /// </summary>
    private TransactionResult ConfigurationFault(in ConfigResult config, uint sid, uint? ssid, ulong address, AccessKind access)
    {
        var fault = config.Fault;
        if (config.Stream is { IsLegal: true } stream)
        {
            access = stream.EffectiveAccess(access);
        }

        if (fault.Reason == ConfigFaultReason.CdFetchStage2Fault)
        {
            return Fault(fault.Stage2, sid, ssid, address, access, config.Stream?.S2Record ?? true, razWi: false);
        }

        RecordEvent(ConfigEvent(fault, address, access));
        return Aborted(fault.Event);
    }

    private static bool IsTranslationClass(EventId id) =>
        id is EventId.F_TRANSLATION or EventId.F_ADDR_SIZE or EventId.F_ACCESS or EventId.F_PERMISSION;

    private static TranslationRegime RegimeOf(StreamWorld world) => world switch
    {
        StreamWorld.NsEl2 => TranslationRegime.El2,
        StreamWorld.NsEl2E2H => TranslationRegime.El2E2h,
        _ => TranslationRegime.Nh,
    };

    /// <summary>Top-byte ignore: bits [63:56] take the value of bit 55 before the walk.</summary>
    private static ulong SignExtendTopByte(ulong va) =>
        ((va >> 55) & 1) != 0 ? va | 0xFF00_0000_0000_0000UL : va & 0x00FF_FFFF_FFFF_FFFFUL;

    private TransactionResult Aborted(EventId? id, SilentAbort silent = SilentAbort.None)
    {
        Statistics.CountAbort();
        return TransactionResult.Abort(id, silent);
    }

    /// <summary>Why a configuration lookup that records nothing (<see cref="ConfigStatus.Abort"/>) aborted.</summary>
    private static SilentAbort Silently(in ConfigFault fault) =>
        fault.Reason == ConfigFaultReason.StreamAbort ? SilentAbort.StreamAbort : SilentAbort.UnrecordedConfigurationError;

    private static bool Fits(ulong address, int bits) => bits >= 64 || (address >> bits) == 0;

    /// <summary>A bypass; an IPA beyond the OAS that bypasses stage 2 is truncated silently (3.4).</summary>
    private TransactionResult Bypassed(ulong address)
    {
        Statistics.CountBypass();
        return new TransactionResult(TransactionOutcome.Bypassed, address & ((1UL << Features.OutputAddressBits) - 1), 12);
    }
}
