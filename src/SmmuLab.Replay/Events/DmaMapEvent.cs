namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>dma_map_phys</c>, <c>dma_map_page</c> or <c>dma_map_resource</c>:
/// <c>"%s dir=%s dma_addr=%llx size=%zu phys_addr=%llx attrs=%s"</c>. Fired after the map
/// returned, so <see cref="DmaAddress"/> is the result (all ones when the mapping failed).
/// <see cref="PhysAddress"/> is null only for a variant that prints no physical address.
/// </summary>
internal readonly record struct DmaMapEvent(
    TraceEventKind Kind,
    string Device,
    DmaDirection Direction,
    ulong DmaAddress,
    ulong Size,
    ulong? PhysAddress,
    DmaAttributes Attrs) : ITraceEvent
{
    /// <summary><c>DMA_MAPPING_ERROR</c>: the map call failed and nothing is mapped.</summary>
    public bool IsMappingError => DmaAddress == ulong.MaxValue;

    public bool AffectsIommu => !IsMappingError;

    string? ITraceEvent.Device => Device;
}
