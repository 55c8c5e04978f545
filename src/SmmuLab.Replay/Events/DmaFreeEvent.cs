namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>dma_free</c>, <c>dma_free_pages</c>: <c>"%s dir=%s dma_addr=%llx size=%zu virt_addr=%p attrs=%s"</c>
/// (v6.12: no <c>dir=</c>; its first releases print <c>phys_addr=%llx</c> instead of <c>virt_addr</c>).
/// </summary>
public readonly record struct DmaFreeEvent(
    TraceEventKind Kind,
    string Device,
    DmaDirection? Direction,
    ulong DmaAddress,
    ulong Size,
    ulong? VirtAddress,
    ulong? PhysAddress,
    DmaAttributes Attrs) : ITraceEvent
{
    public bool AffectsIommu => true;

    string? ITraceEvent.Device => Device;
}
