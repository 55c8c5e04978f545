using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Configuration;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Smmu;

/// <summary>PCIe ATS: Translation Requests and Translated transactions (IHI0070 3.9.1, 13.7).</summary>
public sealed partial class SmmuDevice
{
    /// <summary>STU: the smallest granule this SMMU supports (3.9.1), as log2 bytes.</summary>
    public int SmallestTranslationUnit => Features.Granule4K ? 12 : Features.Granule16K ? 14 : 16;

    /// <summary>
    /// Answers an ATS Translation Request (3.9.1.2). Translation failures never raise fault events:
    /// a missing or forbidden mapping completes with Success and R = W = 0. A configuration that
    /// forbids ATS gives UR with F_BAD_ATS_TREQ; configuration errors give CA, recorded only with
    /// CR2.REC_CFG_ATS. W is granted when the page is writable, whatever the request's NW says
    /// (NW only stops a dirty-state update, and this model has no HTTU).
    /// </summary>
    public AtsCompletion AtsTranslate(uint sid, uint? pasid, ulong address, bool noWrite)
    {
        if (TryAtsTranslateLockFree(sid, pasid, address, out var completion))
        {
            return completion;
        }

        using (gate.EnterToTranslate())
        {
            completion = AtsTranslateLocked(sid, pasid, address);
        }

        DeliverInterrupts();
        return completion;
    }

    /// <summary>
    /// A Translated transaction (the endpoint used its ATC). With CR0.ATSCHK = 0 it passes without
    /// an STE lookup; with ATSCHK = 1 it is checked against the effective STE.EATS (3.9.1.3).
    /// </summary>
    public TransactionResult TranslatedAccess(uint sid, ulong address, AccessKind access)
    {
        TransactionResult result;
        using (gate.EnterToTranslate())
        {
            result = TranslatedAccessLocked(sid, address, access);
        }

        DeliverInterrupts();
        return result;
    }

    private AtsCompletion AtsTranslateLocked(uint sid, uint? pasid, ulong address)
    {
        var ur = new AtsCompletion(AtsStatus.UnsupportedRequest, 0, 0, false, false);
        var ca = new AtsCompletion(AtsStatus.CompleterAbort, 0, 0, false, false);
        if (!Features.Ats)
        {
            return ur;
        }

        Statistics.CountAtsRequest();
        Clock.Advance(Options.Costs.AtsTranslationRoundTripNs);
        if (!SmmuEnabled)
        {
            RecordBadAtsRequest(sid, pasid, address);
            return ur;
        }

        // The STE decides first whether ATS is usable at all (3.9.1.2): a stream whose effective
        // EATS is 0 answers UR with F_BAD_ATS_TREQ whatever its CD/SubstreamID state would say.
        var stream = configCache.LookupStream(StreamTable, cr2, sid);
        if (stream.Status == ConfigStatus.Ok && EffectiveEats(stream.Stream!) == Eats.Abort)
        {
            RecordBadAtsRequest(sid, pasid, address);
            return ur;
        }

        var config = LookupConfiguration(sid, pasid);
        if (config.Status == ConfigStatus.Abort)
        {
            // STE.Config = 0b0xx: UR without an event; an unrecorded bad StreamID: CA.
            return config.Fault.Event == EventId.C_BAD_STREAMID ? ca : ur;
        }

        if (config.Status == ConfigStatus.Fault)
        {
            if (config.Fault.Reason == ConfigFaultReason.CdFetchStage2Fault && IsTranslationClass(config.Fault.Stage2.Fault))
            {
                return new AtsCompletion(AtsStatus.Success, 0, SmallestTranslationUnit, false, false);
            }

            if (Cr2.REC_CFG_ATS.IsSet(cr2))
            {
                RecordEvent(ConfigEvent(config.Fault, address, AccessKind.Read));
            }

            return ca;
        }

        var ste = config.Stream!;
        var eats = EffectiveEats(ste);
        if (eats == Eats.Abort)
        {
            RecordBadAtsRequest(sid, pasid, address);
            return ur;
        }

        if (config.Context is null && !ste.Stage2Enabled)
        {
            // Full ATS skipping stage 1 (S1DSS = bypass): an identity mapping, readable and writable,
            // unless the address is beyond the IAS (a stage-1 F_ADDR_SIZE, 3.4: nothing is granted).
            return Fits(address, Features.IntermediateAddressBits)
                ? new AtsCompletion(AtsStatus.Success, address >> SmallestTranslationUnit << SmallestTranslationUnit, SmallestTranslationUnit, true, true)
                : new AtsCompletion(AtsStatus.Success, 0, SmallestTranslationUnit, false, false);
        }

        // Split-stage ATS returns the stage-1 output (an IPA); the Translated access then goes through stage 2.
        // A request without a PASID is Data, Unprivileged; R and W are computed at the privilege and
        // with the INST marking that STE.PRIVCFG/INSTCFG give it (13.7.1): INSTCFG = Instruction
        // grants R only where the page is executable. W is the translation's write permission at
        // that privilege whatever R is (writes are always Data), so a page R denies can still be
        // granted W: a non-executable writable page under INSTCFG = Instruction, or a stage-2
        // write-only page.
        var probe = eats == Eats.S1Chk ? config.Stream! with { Kind = StreamConfigKind.Stage1 } : ste;
        var probeConfig = ConfigResult.Success(probe, config.Context);
        var read = TranslateWith(probeConfig, sid, pasid, address, ste.EffectiveAccess(AccessKind.Read), atsProbe: true);
        if (!read.Succeeded && read.Fault != EventId.F_PERMISSION)
        {
            // A walk abort is a CA; every other translation-class fault grants nothing (R = W = 0).
            return read.Fault == EventId.F_WALK_EABT ? ca : new AtsCompletion(AtsStatus.Success, 0, SmallestTranslationUnit, false, false);
        }

        var write = TranslateWith(probeConfig, sid, pasid, address, ste.EffectiveAccess(AccessKind.Write), atsProbe: true);
        var granted = read.Succeeded ? read : write;
        if (!granted.Succeeded)
        {
            return new AtsCompletion(AtsStatus.Success, 0, SmallestTranslationUnit, false, false);
        }

        var shift = Math.Max(granted.BlockShift, SmallestTranslationUnit);
        return new AtsCompletion(AtsStatus.Success, granted.PhysicalAddress >> shift << shift, shift, read.Succeeded, write.Succeeded);
    }

    private TransactionResult TranslatedAccessLocked(uint sid, ulong address, AccessKind access)
    {
        if (!SmmuEnabled)
        {
            RecordTranslationForbidden(sid, address, access);
            return Aborted(EventId.F_TRANSL_FORBIDDEN);
        }

        if (!AtsCheck)
        {
            // ATSCHK = 0, "fast": Translated traffic is not checked against any STE.
            return new TransactionResult(TransactionOutcome.Translated, address, 12);
        }

        // Translated traffic is checked against the STE alone: no CD is selected, so S1DSS and the
        // SubstreamID rules do not apply to it.
        var config = configCache.LookupStream(StreamTable, cr2, sid);
        if (config.Status != ConfigStatus.Ok)
        {
            if (config.Status == ConfigStatus.Fault && Cr2.REC_CFG_ATS.IsSet(cr2))
            {
                RecordEvent(ConfigEvent(config.Fault, address, access));
            }

            return config.Status == ConfigStatus.Fault ? Aborted(config.Fault.Event) : Aborted(null, Silently(config.Fault));
        }

        var ste = config.Stream!;
        switch (EffectiveEats(ste))
        {
            case Eats.Abort:
                RecordTranslationForbidden(sid, address, access);
                return Aborted(EventId.F_TRANSL_FORBIDDEN);
            case Eats.S1Chk:
                // Split-stage: the address is an IPA and is translated at stage 2, after the STE's
                // PRIVCFG/INSTCFG overrides (13.7); faults are recorded as usual.
                var stage2Only = ConfigResult.Success(ste with { Kind = StreamConfigKind.Stage2 });
                return TranslateWith(stage2Only, sid, null, address, ste.EffectiveAccess(access));
            default:
                return new TransactionResult(TransactionOutcome.Translated, address, 12);
        }
    }

    /// <summary>
    /// Effective STE.EATS (5.2): 0 for bypass STEs; split-stage needs Config = nested, S2S = 0,
    /// NS1ATS = 0 and ATSCHK = 1, else it behaves as 0; 0b11 without DPT is reserved and behaves as 0.
    /// </summary>
    private uint EffectiveEats(StreamConfig ste)
    {
        if (ste.Kind is StreamConfigKind.Bypass or StreamConfigKind.Abort)
        {
            return Eats.Abort;
        }

        return ste.Eats switch
        {
            Eats.Trans => Eats.Trans,
            Eats.S1Chk when ste.Kind == StreamConfigKind.Nested && !ste.S2Stall && AtsCheck => Eats.S1Chk,
            _ => Eats.Abort,
        };
    }

    private void RecordBadAtsRequest(uint sid, uint? pasid, ulong address) =>
        RecordEvent(EventRecord.Create(EventId.F_BAD_ATS_TREQ, sid, pasid) with { Dw2 = address });

    private void RecordTranslationForbidden(uint sid, ulong address, AccessKind access) =>
        RecordEvent(EventRecord.Create(EventId.F_TRANSL_FORBIDDEN, sid).WithAccess(!access.IsWrite(), false, false) with { Dw2 = address });
}
