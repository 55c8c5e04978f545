using System.Collections.Immutable;

namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>dma_unmap_sg</c>: <c>"%s dir=%s phys_addrs=%s attrs=%s"</c>, the physical addresses of the
/// input segments (no DMA addresses: the replayer finds the mapping by its physical pages).
/// Traced before the unmap, so its iommu unmap follows it.
/// </summary>
internal readonly record struct DmaUnmapSgEvent(
    string Device,
    DmaDirection Direction,
    ImmutableArray<ulong> PhysAddresses,
    DmaAttributes Attrs) : ITraceEvent
{
    public TraceEventKind Kind => TraceEventKind.DmaUnmapSg;

    public bool AffectsIommu => true;

    string? ITraceEvent.Device => Device;
}
