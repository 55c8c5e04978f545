using SmmuLab.Architecture.Events;

namespace SmmuLab.Hardware.Pcie;

/// <summary>Outcome of one DMA an endpoint performed.</summary>
/// <param name="Ok">Every byte was transferred.</param>
/// <param name="BytesTransferred">Bytes moved before the first failure.</param>
/// <param name="FaultAddress">The untranslated address of the first failing access.</param>
/// <param name="Fault">The event type of the fault, if the SMMU reported one.</param>
/// <param name="AtcHits">Pages translated from the endpoint's ATC.</param>
public readonly record struct DmaResult(bool Ok, ulong BytesTransferred, ulong FaultAddress, EventId? Fault, int AtcHits);

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
