using SmmuLab.Architecture.Memory;

namespace SmmuLab.Driver.Platform;

/// <summary>
/// The CPU side of WFE/SEV: the SMMU's <see cref="IEventSignal.SendEvent"/> wakes every thread
/// waiting in <see cref="Wait"/>. Like WFE, a wait may also end spuriously or on timeout, so
/// callers re-check their condition.
/// </summary>
public sealed class WaitForEvent : IEventSignal
{
    private readonly object gate = new();
    private long generation;

    /// <summary>Events sent so far.</summary>
    public long EventsSent => Interlocked.Read(ref generation);

    public void SendEvent()
    {
        lock (gate)
        {
            generation++;
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>Waits until an event newer than <paramref name="seen"/> or the timeout; returns the generation seen.</summary>
    public long Wait(long seen, TimeSpan timeout)
    {
        lock (gate)
        {
            if (generation == seen)
            {
                Monitor.Wait(gate, timeout);
            }

            return generation;
        }
    }
}
