namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>dma_sync_single_for_cpu</c>, <c>dma_sync_single_for_device</c>:
/// <c>"%s dir=%s dma_addr=%llx size=%zu"</c>. A CPU cache operation: no IOMMU effect.
/// </summary>
internal readonly record struct DmaSyncSingleEvent(
    TraceEventKind Kind,
    string Device,
    DmaDirection Direction,
    ulong DmaAddress,
    ulong Size) : ITraceEvent
{
    public bool AffectsIommu => false;

    string? ITraceEvent.Device => Device;
}
