using System.Collections.Immutable;

namespace SmmuLab.Replay.Events;

/// <summary><c>dma_free_sgt</c>: <c>"%s dir=%s dma_addr=%llx size=%zu phys_addrs=%s"</c>.</summary>
internal readonly record struct DmaFreeSgtEvent(
    string Device,
    DmaDirection Direction,
    ulong DmaAddress,
    ulong Size,
    ImmutableArray<ulong> PhysAddresses) : ITraceEvent
{
    public TraceEventKind Kind => TraceEventKind.DmaFreeSgt;

    public bool AffectsIommu => true;

    string? ITraceEvent.Device => Device;
}
