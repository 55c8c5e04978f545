using SmmuLab.Architecture.Events;

namespace SmmuLab.Hardware.Smmu;

/// <summary>What happened to one transaction presented to the SMMU.</summary>
public enum TransactionOutcome : byte
{
    /// <summary>Translated by stage 1, stage 2 or both.</summary>
    Translated,

    /// <summary>Passed through untranslated (SMMUEN = 0 with GBPA, STE bypass, or S1DSS bypass).</summary>
    Bypassed,

    /// <summary>Terminated with an abort (an event may have been recorded).</summary>
    Aborted,

    /// <summary>Terminated as RAZ/WI: reads return zero, writes are ignored (CD.A = 0).</summary>
    RazWi,
}

/// <summary>Why a transaction was terminated with no event type to name (<see cref="TransactionResult.Fault"/> null).</summary>
public enum SilentAbort : byte
{
    None,

    /// <summary>STE.Config = 0b0xx: the stream is configured to abort, and no event is recorded (5.2).</summary>
    StreamAbort,

    /// <summary>A configuration error the SMMU does not record: a StreamID beyond the stream table with CR2.RECINVSID = 0 (7.3.3).</summary>
    UnrecordedConfigurationError,

    /// <summary>SMMUEN = 0 and GBPA.ABORT = 1: every transaction aborts, no event (6.3.14).</summary>
    GlobalAbort,

    /// <summary>SMMUEN = 0 with GBPA bypass, but the address is at or above 2^OAS: aborted, not truncated, no event (3.4).</summary>
    BypassBeyondOas,
}

/// <summary>Result of an untranslated or translated transaction.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="PhysicalAddress">Output address when translated or bypassed.</param>
/// <param name="BlockShift">log2 size of the naturally aligned block the translation covers.</param>
/// <param name="Fault">The event type of a fault that terminated it, recorded or not.</param>
/// <param name="Silent">Why an abort with no <paramref name="Fault"/> happened.</param>
public readonly record struct TransactionResult(TransactionOutcome Outcome, ulong PhysicalAddress, int BlockShift, EventId? Fault = null,
    SilentAbort Silent = SilentAbort.None)
{
    public bool Succeeded => Outcome is TransactionOutcome.Translated or TransactionOutcome.Bypassed;

    public static TransactionResult Abort(EventId? fault = null, SilentAbort silent = SilentAbort.None) => new(TransactionOutcome.Aborted, 0, 0, fault, silent);
}

/// <summary>ATS Translation Completion status (PCIe).</summary>
public enum AtsStatus : byte
{
    Success,

    /// <summary>Unsupported Request: ATS not usable for this stream.</summary>
    UnsupportedRequest,

    /// <summary>Completer Abort: a configuration error.</summary>
    CompleterAbort,
}

/// <summary>An ATS Translation Completion: on success a range of 2^SizeShift bytes with its permissions (R = W = 0 when the page is not mapped).</summary>
public readonly record struct AtsCompletion(AtsStatus Status, ulong TranslatedAddress, int SizeShift, bool Read, bool Write);
