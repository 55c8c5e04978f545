using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Pcie;

namespace SmmuLab.Hardware.Smmu;

/// <summary>Who watches this SMMU (<see cref="ISmmuObserver"/>).</summary>
public sealed partial class SmmuDevice
{
    /// <summary>
    /// Null (nobody watches: each call site costs one null test), one observer, or an
    /// <see cref="ObserverFanout"/>. Replaced under the device lock; read by the code that runs
    /// under it, so an observer added or removed takes effect between two operations of the SMMU.
    /// </summary>
    private ISmmuObserver? observer;

    /// <summary>
    /// Starts reporting this SMMU's work to <paramref name="added"/> (see <see cref="ISmmuObserver"/>
    /// for the threads and the lock its calls come with). Disposing the result stops it.
    /// </summary>
    public IDisposable AddObserver(ISmmuObserver added)
    {
        ArgumentNullException.ThrowIfNull(added);
        using (gate.EnterToTranslate())
        {
            observer = ObserverFanout.With(observer, added);
            ObserversChanged();
        }

        return new Subscription(this, added);
    }

    /// <summary>Stops reporting to <paramref name="removed"/> (one attachment of it); nothing when it is not attached.</summary>
    public void RemoveObserver(ISmmuObserver removed)
    {
        using (gate.EnterToTranslate())
        {
            observer = ObserverFanout.Without(observer, removed);
            ObserversChanged();
        }
    }

    /// <summary>
    /// Reports a command executed without error (caller holds the device lock), and its completion
    /// when it is a CMD_SYNC: the model completes a CMD_SYNC when it consumes it.
    /// </summary>
    private void ReportConsumed(CommandQueueId queue, in Command command, bool reservedIgnored, double startNs, int queueDepth)
    {
        if (!commandsWatched || observer is not { } o)
        {
            return;
        }

        var seen = new CommandObservation(queue, command, reservedIgnored, startNs, Clock.Nanoseconds) { QueueDepth = queueDepth };
        o.CommandConsumed(this, seen);
        if (command.Opcode == Opcode.CMD_SYNC)
        {
            o.SyncCompleted(this, seen);
        }
    }

    /// <summary>
    /// A page of DMA of a connected endpoint reached memory: the endpoint holds the device lock, or
    /// made the page without it (<see cref="TryBeginUnlockedDma"/>) while every observer allows that.
    /// </summary>
    internal void ReportDmaAccess(in DmaAccess access) => Volatile.Read(ref observer)?.DmaAccessed(this, access);

    private sealed class Subscription(SmmuDevice device, ISmmuObserver observer) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                device.RemoveObserver(observer);
            }
        }
    }
}
