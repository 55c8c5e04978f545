using System.Collections.Immutable;

namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>dma_map_sg_err</c>: <c>"%s dir=%s dma_addrs=%s err=%d attrs=%s"</c>. The array the kernel
/// labels <c>dma_addrs</c> holds the physical addresses of the input segments.
/// </summary>
internal readonly record struct DmaMapSgErrorEvent(
    string Device,
    DmaDirection Direction,
    ImmutableArray<ulong> PhysAddresses,
    int Error,
    DmaAttributes Attrs) : ITraceEvent
{
    public TraceEventKind Kind => TraceEventKind.DmaMapSgError;

    /// <summary>A failed mapping leaves nothing mapped.</summary>
    public bool AffectsIommu => false;

    string? ITraceEvent.Device => Device;
}
