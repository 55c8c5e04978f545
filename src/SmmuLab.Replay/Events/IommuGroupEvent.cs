namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>add_device_to_group</c>, <c>remove_device_from_group</c>: <c>"IOMMU: groupID=%d device=%s"</c>.
/// Topology only: no translation changes.
/// </summary>
internal readonly record struct IommuGroupEvent(TraceEventKind Kind, int GroupId, string Device) : ITraceEvent
{
    public bool AffectsIommu => false;

    string? ITraceEvent.Device => Device;
}
