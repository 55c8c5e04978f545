namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>dma_free</c>, <c>dma_free_pages</c>: <c>"%s dir=%s dma_addr=%llx size=%zu virt_addr=%p attrs=%s"</c>
/// (v6.12: no <c>dir=</c>; its first releases print <c>phys_addr=%llx</c> instead of <c>virt_addr</c>).
/// Traced before the buffer is released, so its iommu unmap follows it. Newer kernels also trace a
/// free of a NULL buffer, which does nothing.
/// </summary>
internal readonly record struct DmaFreeEvent(
    TraceEventKind Kind,
    string Device,
    DmaDirection? Direction,
    ulong DmaAddress,
    ulong Size,
    ulong? VirtAddress,
    ulong? PhysAddress,
    DmaAttributes Attrs) : ITraceEvent
{
    /// <summary>A free of a NULL buffer (<c>virt_addr</c> printed as zero): the kernel returns at once.</summary>
    public bool IsNoOp => VirtAddress == 0;

    public bool AffectsIommu => !IsNoOp;

    string? ITraceEvent.Device => Device;
}
