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
    private int waiters;

    /// <summary>Events sent so far.</summary>
    public long EventsSent => Interlocked.Read(ref generation);

    /// <summary>
    /// Sends an event. Without a thread in <see cref="Wait"/> it takes no lock (the SMMU sends one
    /// per CMD_SYNC). Ordering: the sender increments the generation, then reads the waiter count;
    /// a waiter increments the count, then reads the generation; both with full fences
    /// (<see cref="Interlocked"/>), so at least one sees the other's write: either the sender sees
    /// the waiter and pulses under the lock (which the waiter holds until it is inside
    /// <see cref="Monitor.Wait(object, TimeSpan)"/>), or the waiter sees the new generation and does not wait.
    /// </summary>
    public void SendEvent()
    {
        Interlocked.Increment(ref generation);
        if (Volatile.Read(ref waiters) != 0)
        {
            lock (gate)
            {
                Monitor.PulseAll(gate);
            }
        }
    }

    /// <summary>Waits until an event newer than <paramref name="seen"/> or the timeout; returns the generation seen.</summary>
    public long Wait(long seen, TimeSpan timeout)
    {
        lock (gate)
        {
            Interlocked.Increment(ref waiters);
            try
            {
                if (Interlocked.Read(ref generation) == seen)
                {
                    Monitor.Wait(gate, timeout);
                }
            }
            finally
            {
                Interlocked.Decrement(ref waiters);
            }

            return Interlocked.Read(ref generation);
        }
    }
}
