namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>dma_unmap_phys</c>, <c>dma_unmap_page</c> or <c>dma_unmap_resource</c>:
/// <c>"%s dir=%s dma_addr=%llx size=%zu attrs=%s"</c>.
/// </summary>
internal readonly record struct DmaUnmapEvent(
    TraceEventKind Kind,
    string Device,
    DmaDirection Direction,
    ulong DmaAddress,
    ulong Size,
    DmaAttributes Attrs) : ITraceEvent
{
    public bool AffectsIommu => true;

    string? ITraceEvent.Device => Device;
}
