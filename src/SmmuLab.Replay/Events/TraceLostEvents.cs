namespace SmmuLab.Replay.Events;

/// <summary>
/// A lost-events line: tracefs <c>CPU:%d [LOST %lu EVENTS]</c>, trace-cmd <c>CPU:%d [%lld EVENTS DROPPED]</c>
/// or <c>CPU:%d [EVENTS DROPPED]</c> (<see cref="Count"/> null: unknown). Events of that CPU before
/// the next record are missing, so unmatched maps and unmaps afterwards are expected.
/// </summary>
internal readonly record struct TraceLostEvents(int Cpu, long? Count) : ITraceEvent
{
    public TraceEventKind Kind => TraceEventKind.LostEvents;

    public string? Device => null;

    public bool AffectsIommu => false;
}
