namespace SmmuLab.Replay.Events;

/// <summary>One typed trace event (a record struct per event class).</summary>
internal interface ITraceEvent
{
    /// <summary>Which event this is; records shared by an event class carry the exact event name here.</summary>
    TraceEventKind Kind { get; }

    /// <summary>The device name as printed (<c>dev_name()</c>: <c>0000:01:00.0</c>, <c>ff0a0000.ethernet</c>), or null.</summary>
    string? Device { get; }

    /// <summary>
    /// True when replaying the event changes IOMMU state (mappings, IOVAs, domain attachment).
    /// Cache syncs, group membership, faults, failed calls and lost-event markers are false.
    /// </summary>
    bool AffectsIommu { get; }
}
