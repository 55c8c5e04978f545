using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Pcie;

/// <summary>Why a DMA stopped before its end.</summary>
public enum DmaFailure : byte
{
    /// <summary>It did not: every byte went through.</summary>
    None,

    /// <summary>The SMMU terminated a transaction with a fault whose event type is <see cref="DmaResult.Fault"/> (recorded or not).</summary>
    Fault,

    /// <summary>The SMMU aborted it without an event type: <see cref="DmaResult.Silent"/> says why (STE.Config = abort, ...).</summary>
    SilentAbort,

    /// <summary>ATS: the Translation Request completed with Unsupported Request (ATS not usable for the stream: EATS, an abort STE, the SMMU disabled).</summary>
    AtsUnsupportedRequest,

    /// <summary>ATS: the Translation Request completed with Completer Abort (a configuration error, a walk abort).</summary>
    AtsCompleterAbort,

    /// <summary>ATS: the Translation Request succeeded but granted no permission for this access (R = 0 for a read, W = 0 for a write): not mapped, or read-only.</summary>
    AtsNotPermitted,

    /// <summary>The address the SMMU gave (<see cref="DmaResult.PhysicalAddress"/>) is not backed: no RAM answered.</summary>
    NotBacked,
}

/// <summary>Outcome of one DMA an endpoint performed.</summary>
/// <param name="Ok">Every byte was transferred.</param>
/// <param name="BytesTransferred">Bytes moved before the first failure.</param>
/// <param name="FaultAddress">The untranslated address of the first failing access.</param>
/// <param name="Fault">The event type of the fault, if the SMMU reported one.</param>
/// <param name="AtcHits">Pages translated from the endpoint's ATC.</param>
public readonly record struct DmaResult(bool Ok, ulong BytesTransferred, ulong FaultAddress, EventId? Fault, int AtcHits)
{
    /// <summary>Why it stopped (<see cref="DmaFailure.None"/> when <see cref="Ok"/>).</summary>
    public DmaFailure Failure { get; init; }

    /// <summary>For <see cref="DmaFailure.SilentAbort"/>: why the SMMU aborted without an event type.</summary>
    public SilentAbort Silent { get; init; }

    /// <summary>For <see cref="DmaFailure.NotBacked"/>: the physical address nothing answered at.</summary>
    public ulong PhysicalAddress { get; init; }

    /// <summary>A DMA stopped at <paramref name="address"/> by the SMMU's answer <paramref name="result"/> (a fault, or an abort without one).</summary>
    internal static DmaResult Terminated(ulong done, ulong address, in TransactionResult result, int atcHits) =>
        new(false, done, address, result.Fault, atcHits)
        {
            Failure = result.Fault is null ? DmaFailure.SilentAbort : DmaFailure.Fault,
            Silent = result.Silent,
        };
}

/// <summary>One page-sized piece of a DMA as it reached memory; the stale-translation oracle watches these.</summary>
/// <param name="Endpoint">The endpoint name.</param>
/// <param name="StreamId">StreamID used.</param>
/// <param name="Pasid">PASID, if any.</param>
/// <param name="Address">Untranslated address.</param>
/// <param name="PhysicalAddress">Where it landed.</param>
/// <param name="Length">Bytes.</param>
/// <param name="Write">Direction.</param>
/// <param name="FromAtc">Translated from the endpoint's ATC rather than by the SMMU.</param>
public readonly record struct DmaAccess(string Endpoint, uint StreamId, uint? Pasid, ulong Address, ulong PhysicalAddress, int Length, bool Write, bool FromAtc);
