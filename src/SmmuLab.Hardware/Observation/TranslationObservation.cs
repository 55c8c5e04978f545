using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Observation;

/// <summary>How a translation was answered.</summary>
public enum TranslationPath : byte
{
    /// <summary>From the TLB.</summary>
    TlbHit,

    /// <summary>By a table walk after a TLB miss (<see cref="TranslationObservation.WalkSteps"/> descriptor reads).</summary>
    Walk,

    /// <summary>No translation was looked up: bypass, a disabled SMMU, or a configuration that aborts or faults.</summary>
    None,
}

/// <summary>
/// One untranslated transaction through <see cref="SmmuDevice.Translate"/>: its input, its result,
/// whether the TLB answered it, the walk steps of a miss and the modeled time it took.
/// </summary>
public readonly record struct TranslationObservation(
    uint StreamId,
    uint? SubstreamId,
    ulong Address,
    AccessKind Access,
    TransactionOutcome Outcome,
    ulong PhysicalAddress,
    EventId? Fault,
    TranslationPath Path,
    int WalkSteps,
    double StartNs,
    double EndNs);
