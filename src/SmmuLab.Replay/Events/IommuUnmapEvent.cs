namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>iommu:unmap</c>. Since about v5.17 <c>"IOMMU: iova=0x%016llx - 0x%016llx size=%zu unmapped_size=%zu"</c>;
/// before, <c>"IOMMU: iova=0x%016llx size=%zu unmapped_size=%zu"</c>. <see cref="Size"/> is what the
/// caller asked for, <see cref="UnmappedSize"/> what the page table released.
/// </summary>
internal readonly record struct IommuUnmapEvent(
    ulong Iova,
    ulong Size,
    ulong UnmappedSize,
    bool RangePrinted,
    string? Device) : ITraceEvent
{
    public TraceEventKind Kind => TraceEventKind.IommuUnmap;

    public bool AffectsIommu => true;
}
