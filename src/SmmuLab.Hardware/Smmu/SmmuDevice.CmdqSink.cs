using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Queues;

namespace SmmuLab.Hardware.Smmu;

/// <summary>The SMMU's own command queue as <see cref="CommandConsumer"/> runs it (caller holds the device lock).</summary>
public sealed partial class SmmuDevice
{
    private struct CmdqSink(SmmuDevice device) : ICommandSink
    {
        /// <summary>Modeled time at the current command's fetch.</summary>
        private double startNs;

        /// <summary>Whether the current command's reserved bits were ignored.</summary>
        private bool reservedIgnored;

        public readonly bool MayConsume => device.CmdqEnabled && (device.ActiveGlobalErrors & GError.CMDQ_ERR) == 0;

        public void Fetching()
        {
            startNs = device.commandsWatched ? device.Clock.Nanoseconds : 0; // read only for observers
            device.Clock.Advance(device.Options.Costs.CommandFetchNs);
        }

        public byte Execute(ref Command command)
        {
            var error = device.Execute(command, out reservedIgnored);
            if (error != CommandError.CERROR_NONE)
            {
                return (byte)error;
            }

            device.Statistics.CountCommand(command.Opcode);
            if (reservedIgnored)
            {
                device.Statistics.CountReservedBitCommand();
            }

            return 0;
        }

        public readonly void Stopped(byte error)
        {
            device.Statistics.CountCommandError();
            device.RaiseGlobalError(GError.CMDQ_ERR);
        }

        /// <summary>The one place a command of the CMDQ is reported consumed.</summary>
        public readonly void Consumed(in Command command)
        {
            if (device.observer is not null) // tested here, so that the unobserved loop neither calls nor computes the depth
            {
                device.ReportConsumed(CommandQueueId.Cmdq, command, reservedIgnored, startNs, device.cmdq.Depth);
            }
        }
    }
}
