using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// A failed configuration lookup: the event to record and the fields it needs (IHI0070 7.3.3-7.3.11).
/// For a stage-2 fault on a CD fetch, <see cref="Event"/> is the stage-2 fault's type and
/// <see cref="Stage2"/> carries it (S2 = 1, CLASS = CD, IPA = the L1CD/CD address).
/// </summary>
internal readonly record struct ConfigFault(
    EventId Event,
    ConfigFaultReason Reason,
    uint StreamId,
    uint? SubstreamId = null,
    ulong FetchAddress = 0,
    WalkResult Stage2 = default)
{
    /// <summary>
    /// The event record, with identification, fetch address and stage-2 fields. The device adds
    /// InputAddr and the access attributes (RnW, InD, PnU) of translation-class records.
    /// </summary>
    public EventRecord ToEventRecord()
    {
        switch (Event)
        {
            case EventId.F_STREAM_DISABLED:
                return EventRecord.Create(Event, StreamId);
            case EventId.C_BAD_SUBSTREAMID:
                // The SubstreamID is always valid in this record and there is no SSV bit (7.3.9).
                var r = EventRecord.Create(Event, StreamId);
                return r with { Dw0 = r.Dw0 | EventRecord.SubstreamID.Make(SubstreamId ?? 0) };
            case EventId.F_STE_FETCH:
            case EventId.F_CD_FETCH:
                return EventRecord.Create(Event, StreamId, SubstreamId) with
                {
                    Dw3 = EventRecord.FetchAddr.InsertAddress(0, FetchAddress),
                };
            case EventId.C_BAD_STREAMID:
            case EventId.C_BAD_STE:
            case EventId.C_BAD_CD:
                return EventRecord.Create(Event, StreamId, SubstreamId);
            default:
                // A stage-2 fault on the CD fetch: a translation-class record (or F_WALK_EABT).
                var s2 = EventRecord.Create(Event, StreamId, SubstreamId).WithFault(true, FaultClass.CD);
                return s2 with
                {
                    Dw3 = Event == EventId.F_WALK_EABT
                        ? EventRecord.FetchAddr.InsertAddress(0, Stage2.FetchAddress)
                        : EventRecord.IPA.InsertAddress(0, Stage2.FaultIpa),
                };
        }
    }
}
