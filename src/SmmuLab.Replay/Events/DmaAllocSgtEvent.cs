using System.Collections.Immutable;

namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>dma_alloc_sgt</c> (<c>dma_alloc_noncontiguous</c>):
/// <c>"%s dir=%s dma_addr=%llx size=%zu phys_addrs=%s flags=%s attrs=%s"</c>.
/// </summary>
internal readonly record struct DmaAllocSgtEvent(
    string Device,
    DmaDirection Direction,
    ulong DmaAddress,
    ulong Size,
    ImmutableArray<ulong> PhysAddresses,
    string GfpFlags,
    DmaAttributes Attrs) : ITraceEvent
{
    public TraceEventKind Kind => TraceEventKind.DmaAllocSgt;

    public bool AffectsIommu => true;

    string? ITraceEvent.Device => Device;
}
