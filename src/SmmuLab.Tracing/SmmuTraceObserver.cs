using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Tracing;

/// <summary>
/// What a <see cref="TraceWriter"/> watches on one SMMU: the commands it consumed, from its own
/// CMDQ (<c>"queue":"cmdq"</c>) and from each VCMDQ of a CMDQV beside it (<c>"vcmdq3"</c>), with
/// their reserved-bit mark, and its event records, each written as it happens.
/// </summary>
internal sealed class SmmuTraceObserver(TraceWriter writer, string label) : ISmmuObserver
{
    public void CommandConsumed(SmmuDevice smmu, in CommandObservation command)
    {
        writer.WriteCommand(label, command.Queue.IsCmdq ? CommandTraceRecord.CommandQueue : command.Queue.ToString(), command.Command, command.ReservedBitsIgnored);
    }

    public void EventRecorded(SmmuDevice smmu, in EventRecord record) => writer.WriteEvent(label, record);
}
