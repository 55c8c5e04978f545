using SmmuLab.Architecture.Commands;

namespace SmmuLab.Hardware.Observation;

/// <summary>
/// One consumed command: the queue; the command as executed (after a CMDQV guest filter's VMID or
/// StreamID substitution, with any reserved bits as fetched); whether reserved bits were set and
/// ignored (IHI0070 4.1.5); and the SMMU's modeled time at its fetch and at its completion, in
/// nanoseconds.
/// </summary>
public readonly record struct CommandObservation(CommandQueueId Queue, Command Command, bool ReservedBitsIgnored, double StartNs, double EndNs)
{
    /// <summary>Commands still waiting on the queue once this one is consumed (PROD minus the new CONS).</summary>
    public int QueueDepth { get; init; }
}
