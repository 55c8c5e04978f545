namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>dma_alloc</c>, <c>dma_alloc_pages</c>, <c>dma_alloc_sgt_err</c>:
/// <c>"%s dir=%s dma_addr=%llx size=%zu virt_addr=%p flags=%s attrs=%s"</c>.
/// v6.12 prints no <c>dir=</c> (<see cref="Direction"/> null) and its first releases printed
/// <c>phys_addr=%llx</c> where later kernels print the hashed <c>virt_addr=%p</c>
/// (<see cref="VirtAddress"/> is null when the pointer did not print as hex).
/// <see cref="GfpFlags"/> is the gfp text as printed (<c>GFP_KERNEL</c>, <c>none</c>, …).
/// </summary>
internal readonly record struct DmaAllocEvent(
    TraceEventKind Kind,
    string Device,
    DmaDirection? Direction,
    ulong DmaAddress,
    ulong Size,
    ulong? VirtAddress,
    ulong? PhysAddress,
    string GfpFlags,
    DmaAttributes Attrs) : ITraceEvent
{
    /// <summary>The error event, or an allocation that returned no buffer (newer kernels then record 0).</summary>
    public bool IsFailure => Kind == TraceEventKind.DmaAllocSgtError || (VirtAddress == 0 && DmaAddress == 0);

    public bool AffectsIommu => !IsFailure;

    string? ITraceEvent.Device => Device;
}
