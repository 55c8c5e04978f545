using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Observation;

namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// The entry point for command queues outside the SMMU's own CMDQ (a Tegra241 CMDQV's VCMDQs):
/// they fetch and check commands themselves and have them executed here, against the same caches.
/// </summary>
public sealed partial class SmmuDevice
{
    /// <summary>
    /// Executes one command fetched by a secondary queue, under the device lock (or, when taking it
    /// could change nothing, without it: <see cref="TryExecuteQuietly"/>), exactly as the
    /// main CMDQ's consumer would (same checks, same CERROR codes, same cache maintenance; an ATC
    /// invalidation that times out fails the next CMD_SYNC executed on any queue, as the SMMU keeps
    /// one such state). The command is not counted in <see cref="Statistics"/>, which describes the
    /// main CMDQ only; the caller keeps its own per-queue counters. Observers see it as consumed from
    /// <paramref name="queue"/> once it executed without error, under the device lock like every
    /// other report (the queue's CONS moves past it just after). Under <see cref="ReservedFieldPolicy.Ignore"/> a command with reserved bits
    /// is executed with them cleared, as on the CMDQ; <paramref name="reservedIgnored"/> tells the
    /// caller to count it (it is not counted in <see cref="SmmuStatistics.ReservedBitCommands"/>).
    /// <paramref name="waiting"/> is what the queue holds behind this command (observers' queue depth).
    /// </summary>
    internal CommandError ExecuteFromSecondaryQueue(in Command cmd, CommandQueueId queue, out bool reservedIgnored, int waiting = 0)
    {
        if (TryExecuteQuietly(cmd))
        {
            reservedIgnored = false;
            return CommandError.CERROR_NONE;
        }

        CommandError error;
        using (gate.Enter())
        {
            var startNs = commandsWatched ? Clock.Nanoseconds : 0; // read only for observers
            Clock.Advance(Options.Costs.CommandFetchNs);
            error = Execute(cmd, out reservedIgnored);
            if (error == CommandError.CERROR_NONE)
            {
                ReportConsumed(queue, cmd, reservedIgnored, startNs, waiting);
            }
        }

        DeliverInterrupts();
        return error;
    }
}
