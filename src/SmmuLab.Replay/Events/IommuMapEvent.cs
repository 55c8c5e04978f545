namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>iommu:map</c>. Since about v5.17 <c>"IOMMU: iova=0x%016llx - 0x%016llx paddr=0x%016llx size=%zu"</c>
/// (the second value is iova + size, <see cref="RangePrinted"/> true); before,
/// <c>"IOMMU: iova=0x%016llx paddr=0x%016llx size=%zu"</c>. Upstream prints no device; some vendor
/// kernels add <c>dev=%s</c>, kept in <see cref="Device"/>.
/// </summary>
internal readonly record struct IommuMapEvent(
    ulong Iova,
    ulong PhysAddress,
    ulong Size,
    bool RangePrinted,
    string? Device) : ITraceEvent
{
    public TraceEventKind Kind => TraceEventKind.IommuMap;

    public bool AffectsIommu => true;
}
