using SmmuLab.Replay.Parsing;

namespace SmmuLab.Replay.Events;

/// <summary>
/// The event of a line, held unboxed, with its line number and context columns: one field per record type, the one in use
/// named by <see cref="Kind"/>. The parser fills it in place for every line, so reading an event
/// allocates nothing; <see cref="Box"/> makes the <see cref="ITraceEvent"/> for readers that keep
/// events. Valid until the next line is read.
/// </summary>
internal sealed class TraceEventSlot
{
    /// <summary>The 1-based line the event came from.</summary>
    public long LineNumber;

    /// <summary>Its context columns (CPU alone for a lost-events line).</summary>
    public TraceContext Context;

    public TraceEventKind Kind;
    public DmaMapEvent DmaMap;
    public DmaUnmapEvent DmaUnmap;
    public DmaMapSgEvent DmaMapSg;
    public DmaMapSgErrorEvent DmaMapSgError;
    public DmaUnmapSgEvent DmaUnmapSg;
    public DmaAllocEvent DmaAlloc;
    public DmaAllocSgtEvent DmaAllocSgt;
    public DmaFreeEvent DmaFree;
    public DmaFreeSgtEvent DmaFreeSgt;
    public DmaSyncSingleEvent DmaSyncSingle;
    public DmaSyncSgEvent DmaSyncSg;
    public IommuGroupEvent IommuGroup;
    public IommuDeviceEvent IommuDevice;
    public IommuMapEvent IommuMap;
    public IommuUnmapEvent IommuUnmap;
    public IommuPageFaultEvent IommuPageFault;
    public TraceLostEvents Lost;

    /// <summary>The event as a boxed record (allocates).</summary>
    public ITraceEvent Box() => Kind switch
    {
        TraceEventKind.DmaMapPage or TraceEventKind.DmaMapPhys or TraceEventKind.DmaMapResource => DmaMap,
        TraceEventKind.DmaUnmapPage or TraceEventKind.DmaUnmapPhys or TraceEventKind.DmaUnmapResource => DmaUnmap,
        TraceEventKind.DmaMapSg => DmaMapSg,
        TraceEventKind.DmaMapSgError => DmaMapSgError,
        TraceEventKind.DmaUnmapSg => DmaUnmapSg,
        TraceEventKind.DmaAlloc or TraceEventKind.DmaAllocPages or TraceEventKind.DmaAllocSgtError => DmaAlloc,
        TraceEventKind.DmaAllocSgt => DmaAllocSgt,
        TraceEventKind.DmaFree or TraceEventKind.DmaFreePages => DmaFree,
        TraceEventKind.DmaFreeSgt => DmaFreeSgt,
        TraceEventKind.DmaSyncSingleForCpu or TraceEventKind.DmaSyncSingleForDevice => DmaSyncSingle,
        TraceEventKind.DmaSyncSgForCpu or TraceEventKind.DmaSyncSgForDevice => DmaSyncSg,
        TraceEventKind.IommuAddDeviceToGroup or TraceEventKind.IommuRemoveDeviceFromGroup => IommuGroup,
        TraceEventKind.IommuAttachDeviceToDomain or TraceEventKind.IommuDetachDeviceFromDomain => IommuDevice,
        TraceEventKind.IommuMap => IommuMap,
        TraceEventKind.IommuUnmap => IommuUnmap,
        TraceEventKind.IommuPageFault => IommuPageFault,
        TraceEventKind.LostEvents => Lost,
        _ => throw new InvalidOperationException($"no record for {Kind}"),
    };
}
