using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Smmu;

/// <summary>Untranslated transactions from endpoints (IHI0070 3.3, 5, 7.3).</summary>
public sealed partial class SmmuDevice
{
    /// <summary>
    /// Translates one untranslated transaction of StreamID <paramref name="sid"/> (with an optional
    /// SubstreamID) at <paramref name="address"/>. Configuration errors and recorded faults are
    /// written to the event queue; the result says whether and where the access may go.
    /// </summary>
    public TransactionResult Translate(uint sid, uint? ssid, ulong address, AccessKind access)
    {
        lock (gate)
        {
            Statistics.CountTranslation();
            if (!SmmuEnabled)
            {
                // SMMUEN = 0: every Non-secure transaction bypasses with the GBPA attributes, or aborts.
                return Gbpa.ABORT.IsSet(gbpa) ? Aborted(null) : Bypassed(address);
            }

            var stream = FetchStream(sid, ssid);
            if (stream.Event is { } configEvent)
            {
                RecordEvent(configEvent);
                return Aborted(configEvent.Id);
            }

            var config = stream.Config!;
            if (config.IsAbort)
            {
                return Aborted(null);
            }

            if (config.IsBypass)
            {
                return ssid is null ? Bypassed(address) : ConfigError(EventId.C_BAD_SUBSTREAMID, sid, ssid);
            }

            if (!config.HasStage1)
            {
                if (ssid is not null)
                {
                    return ConfigError(EventId.C_BAD_SUBSTREAMID, sid, ssid);
                }

                return TranslateStage2Only(config, sid, address, access);
            }

            var context = FetchContext(config, sid, ssid);
            if (context.Event is { } cdEvent)
            {
                RecordEvent(cdEvent);
                return Aborted(cdEvent.Id);
            }

            if (context.Stage2Fault is { } cdFetchFault)
            {
                // A stage-2 fault on the CD fetch (CLASS = CD), recorded per STE.S2R.
                return Fault(cdFetchFault, sid, ssid, address, access, record: config.RecordStage2Faults, abortOnTerminate: true);
            }

            if (context.Bypass)
            {
                // S1DSS = bypass for a transaction without a SubstreamID: stage 1 is skipped.
                return config.HasStage2 ? TranslateStage2Only(config, sid, address, access) : Bypassed(address);
            }

            return TranslateStage1(config, context.Context!, sid, ssid, address, access);
        }
    }

    private TransactionResult TranslateStage2Only(StreamConfigView config, uint sid, ulong ipa, AccessKind access)
    {
        if (TlbLookupStage2(config, ipa, out var hit))
        {
            Clock.Advance(Options.Costs.TlbHitNs);
            return hit.Permissions.Allows(access)
                ? Translated(hit, ipa)
                : Fault(WalkResult.Faulted(EventId.F_PERMISSION, true, FaultClass.IN, ipa), sid, null, ipa, access, config.RecordStage2Faults, true);
        }

        var walk = WalkStage2(config, ipa, access);
        if (!walk.Ok)
        {
            return Fault(walk, sid, null, ipa, access, config.RecordStage2Faults, abortOnTerminate: true);
        }

        TlbInsertStage2(config, ipa, walk);
        return walk.Permissions.Allows(access)
            ? Translated(walk)
            : Fault(WalkResult.Faulted(EventId.F_PERMISSION, true, FaultClass.IN, ipa), sid, null, ipa, access, config.RecordStage2Faults, true);
    }

    private TransactionResult TranslateStage1(StreamConfigView config, ContextView context, uint sid, uint? ssid, ulong va, AccessKind access)
    {
        if (TlbLookupStage1(config, context, va, out var hit))
        {
            Clock.Advance(Options.Costs.TlbHitNs);
            if (hit.Permissions.Allows(access))
            {
                return Translated(hit, va);
            }

            var stage2Denies = hit.Stage2Permissions is { } s2 && !s2.Allows(access);
            var denial = WalkResult.Faulted(EventId.F_PERMISSION, stage2Denies, FaultClass.IN, hit.IpaOf(va));
            return Fault(denial, sid, ssid, va, access, stage2Denies ? config.RecordStage2Faults : context.RecordFaults, !stage2Denies && !context.AbortOnTerminate);
        }

        var walk = WalkStage1(config, context, va, access);
        if (!walk.Ok)
        {
            var record = walk.FaultIsStage2 ? config.RecordStage2Faults : context.RecordFaults;
            return Fault(walk, sid, ssid, va, access, record, razWi: !walk.FaultIsStage2 && !context.AbortOnTerminate);
        }

        TlbInsertStage1(config, context, va, walk);
        if (walk.Permissions.Allows(access))
        {
            return Translated(walk);
        }

        return Fault(WalkResult.Faulted(EventId.F_PERMISSION, false, FaultClass.IN), sid, ssid, va, access, context.RecordFaults, !context.AbortOnTerminate);
    }

    /// <summary>
    /// A translation-class fault or walk abort. F_TRANSLATION, F_ADDR_SIZE, F_ACCESS and
    /// F_PERMISSION are recorded only when the stage's R bit (CD.R, STE.S2R) is set; every other
    /// fault is always recorded (5.5). A stage-1 terminate with CD.A = 0 is RAZ/WI.
    /// </summary>
    private TransactionResult Fault(in WalkResult fault, uint sid, uint? ssid, ulong address, AccessKind access, bool record, bool razWi)
    {
        Statistics.CountFault();
        var translationClass = fault.Fault is EventId.F_TRANSLATION or EventId.F_ADDR_SIZE or EventId.F_ACCESS or EventId.F_PERMISSION;
        if (record || !translationClass)
        {
            var rec = EventRecord.Create(fault.Fault, sid, ssid)
                .WithAccess(read: !access.IsWrite(), instruction: (access & AccessKind.Instruction) != 0 && !access.IsWrite(),
                    privileged: (access & AccessKind.Privileged) != 0)
                .WithFault(fault.FaultIsStage2, fault.FaultClass);
            var dw3 = fault.Fault == EventId.F_WALK_EABT
                ? EventRecord.FetchAddr.InsertAddress(0, fault.FetchAddress)
                : fault.FaultIsStage2 ? EventRecord.IPA.InsertAddress(0, fault.FaultIpa) : 0;
            RecordEvent(rec with { Dw2 = address, Dw3 = dw3 });
        }

        if (razWi && translationClass)
        {
            return new TransactionResult(TransactionOutcome.RazWi, 0, 0, fault.Fault);
        }

        Statistics.CountAbort();
        return TransactionResult.Abort(fault.Fault);
    }

    private TransactionResult ConfigError(EventId id, uint sid, uint? ssid)
    {
        RecordEvent(EventRecord.Create(id, sid, id == EventId.C_BAD_SUBSTREAMID ? null : ssid) with
        {
            Dw0 = id == EventId.C_BAD_SUBSTREAMID ? EventRecord.SubstreamID.Insert(EventRecord.Create(id, sid).Dw0, ssid ?? 0) : EventRecord.Create(id, sid, ssid).Dw0,
        });
        return Aborted(id);
    }

    private TransactionResult Aborted(EventId? id)
    {
        Statistics.CountAbort();
        return TransactionResult.Abort(id);
    }

    private TransactionResult Bypassed(ulong address)
    {
        Statistics.CountBypass();
        return new TransactionResult(TransactionOutcome.Bypassed, address & ((1UL << Features.OutputAddressBits) - 1), 12);
    }

    private static TransactionResult Translated(in WalkResult walk) =>
        new(TransactionOutcome.Translated, walk.OutputAddress, walk.BlockShift);

    private static TransactionResult Translated(in CachedTranslation hit, ulong input) =>
        new(TransactionOutcome.Translated, hit.OutputOf(input), hit.BlockShift);
}
