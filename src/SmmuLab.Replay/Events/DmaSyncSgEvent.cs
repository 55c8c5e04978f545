using System.Collections.Immutable;

namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>dma_sync_sg_for_cpu</c>, <c>dma_sync_sg_for_device</c>: <c>"%s dir=%s dma_addrs=%s sizes=%s"</c>.
/// A CPU cache operation: no IOMMU effect.
/// </summary>
internal readonly record struct DmaSyncSgEvent(
    TraceEventKind Kind,
    string Device,
    DmaDirection Direction,
    ImmutableArray<ulong> DmaAddresses,
    ImmutableArray<uint> Lengths) : ITraceEvent
{
    public bool AffectsIommu => false;

    string? ITraceEvent.Device => Device;
}
