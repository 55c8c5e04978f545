namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>io_page_fault</c>: <c>"IOMMU:%s %s iova=0x%016llx flags=0x%04x"</c> (driver name, device).
/// <see cref="Flags"/> are the <c>IOMMU_FAULT_*</c> bits (read 0, write 1).
/// </summary>
internal readonly record struct IommuPageFaultEvent(string Driver, string Device, ulong Iova, int Flags) : ITraceEvent
{
    public TraceEventKind Kind => TraceEventKind.IommuPageFault;

    /// <summary>An observation: the fault changes no mapping.</summary>
    public bool AffectsIommu => false;

    string? ITraceEvent.Device => Device;
}
