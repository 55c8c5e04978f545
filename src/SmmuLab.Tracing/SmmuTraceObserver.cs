using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Tracing;

/// <summary>
/// What a <see cref="TraceWriter"/> watches on one SMMU: the commands of its own CMDQ (with their
/// reserved-bit mark) and its event records, each written as it happens.
/// </summary>
internal sealed class SmmuTraceObserver(TraceWriter writer, string label) : ISmmuObserver
{
    public void CommandConsumed(SmmuDevice smmu, in CommandObservation command)
    {
        if (command.Queue.IsCmdq)
        {
            writer.WriteCommand(label, command.Command, command.ReservedBitsIgnored);
        }
    }

    public void EventRecorded(SmmuDevice smmu, in EventRecord record) => writer.WriteEvent(label, record);
}
