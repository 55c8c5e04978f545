namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>attach_device_to_domain</c>, <c>detach_device_from_domain</c>: <c>"IOMMU: device=%s"</c>.
/// The text names no domain; the replayer keeps the device-to-domain attribution.
/// </summary>
internal readonly record struct IommuDeviceEvent(TraceEventKind Kind, string Device) : ITraceEvent
{
    public bool AffectsIommu => true;

    string? ITraceEvent.Device => Device;
}
