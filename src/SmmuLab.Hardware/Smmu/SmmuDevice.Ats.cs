using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Smmu;

/// <summary>PCIe ATS: Translation Requests and Translated transactions (IHI0070 3.9.1, 13.7).</summary>
public sealed partial class SmmuDevice
{
    /// <summary>
    /// Answers an ATS Translation Request. Translation failures never raise fault events: a
    /// missing or forbidden mapping completes with Success and R = W = 0; only configurations that
    /// forbid ATS give UR (with F_BAD_ATS_TREQ) and configuration errors give CA (3.9.1.2).
    /// </summary>
    public AtsCompletion AtsTranslate(uint sid, uint? pasid, ulong address, bool noWrite)
    {
        lock (gate)
        {
            Statistics.CountAtsRequest();
            Clock.Advance(Options.Costs.AtsTranslationRoundTripNs);
            if (!Features.Ats || !SmmuEnabled)
            {
                if (Features.Ats)
                {
                    RecordEvent(EventRecord.Create(EventId.F_BAD_ATS_TREQ, sid, pasid) with { Dw2 = address });
                }

                return new AtsCompletion(AtsStatus.UnsupportedRequest, 0, 0, false, false);
            }

            var stream = FetchStream(sid, pasid);
            if (stream.Event is { } configEvent)
            {
                // Configuration errors complete with CA; recorded only with CR2.REC_CFG_ATS.
                if (Cr2.REC_CFG_ATS.IsSet(cr2))
                {
                    RecordEvent(configEvent);
                }

                return new AtsCompletion(AtsStatus.CompleterAbort, 0, 0, false, false);
            }

            var config = stream.Config!;
            if (config.IsAbort)
            {
                return new AtsCompletion(AtsStatus.UnsupportedRequest, 0, 0, false, false);
            }

            if (config.IsBypass || config.Eats == Eats.Abort || (config.Eats == Eats.S1Chk && !AtsCheck))
            {
                RecordEvent(EventRecord.Create(EventId.F_BAD_ATS_TREQ, sid, pasid) with { Dw2 = address });
                return new AtsCompletion(AtsStatus.UnsupportedRequest, 0, 0, false, false);
            }

            // Translate for read, then learn whether the page is also writable; no fault is recorded.
            var read = ProbeForAts(config, sid, pasid, address, AccessKind.Read, out var readResult);
            if (read is { } completion)
            {
                return completion;
            }

            if (!readResult.Succeeded)
            {
                return new AtsCompletion(AtsStatus.Success, 0, 12, false, false);
            }

            var writable = !noWrite || true;
            var write = ProbeForAts(config, sid, pasid, address, AccessKind.Write, out var writeResult) is null && writeResult.Succeeded && writable;
            var shift = Math.Max(readResult.BlockShift, SmallestTranslationUnit);
            return new AtsCompletion(AtsStatus.Success, readResult.PhysicalAddress, shift, true, write);
        }
    }

    /// <summary>
    /// A Translated transaction (the endpoint used an ATC entry). With CR0.ATSCHK = 0 it passes
    /// without an STE lookup; with ATSCHK = 1 it is checked against the STE's EATS (3.9.1.3).
    /// </summary>
    public TransactionResult TranslatedAccess(uint sid, ulong physicalAddress, AccessKind access)
    {
        lock (gate)
        {
            if (!SmmuEnabled)
            {
                RecordEvent(EventRecord.Create(EventId.F_TRANSL_FORBIDDEN, sid).WithAccess(!access.IsWrite(), false, false) with { Dw2 = physicalAddress });
                return Aborted(EventId.F_TRANSL_FORBIDDEN);
            }

            if (!AtsCheck)
            {
                return new TransactionResult(TransactionOutcome.Translated, physicalAddress, 12);
            }

            var stream = FetchStream(sid, null);
            if (stream.Event is { } configEvent)
            {
                if (Cr2.REC_CFG_ATS.IsSet(cr2))
                {
                    RecordEvent(configEvent);
                }

                return Aborted(configEvent.Id);
            }

            var config = stream.Config!;
            if (config.IsAbort)
            {
                return Aborted(null);
            }

            if (config.IsBypass || config.Eats == Eats.Abort)
            {
                RecordEvent(EventRecord.Create(EventId.F_TRANSL_FORBIDDEN, sid).WithAccess(!access.IsWrite(), false, false) with { Dw2 = physicalAddress });
                return Aborted(EventId.F_TRANSL_FORBIDDEN);
            }

            if (config.Eats == Eats.S1Chk)
            {
                // Split-stage ATS: the address is an IPA and goes through stage 2.
                return TranslateStage2Only(config, sid, physicalAddress, access);
            }

            return new TransactionResult(TransactionOutcome.Translated, physicalAddress, 12);
        }
    }

    /// <summary>STU: the smallest granule this SMMU supports (3.9.1).</summary>
    public int SmallestTranslationUnit => Features.Granule4K ? 12 : Features.Granule16K ? 14 : 16;

    /// <summary>
    /// Runs the translation of a Translation Request without recording translation faults.
    /// Returns a completion when the request ends early (CA), else null with the result.
    /// </summary>
    private AtsCompletion? ProbeForAts(StreamConfigView config, uint sid, uint? pasid, ulong address, AccessKind access, out TransactionResult result)
    {
        suppressTranslationFaultEvents = true;
        try
        {
            result = TranslateWithConfig(config, sid, pasid, address, access);
        }
        finally
        {
            suppressTranslationFaultEvents = false;
        }

        return null;
    }
}
