using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Cmdq;

/// <summary>
/// The command queue's "lock": one atomic int that CMD_SYNC waiters hold shared and the refresher
/// of the cached CONS holds exclusive. It is not a reader-writer lock in the usual sense: the
/// exclusive side is only ever tried, never waited for, and shared holders never block each other.
/// </summary>
/// <remarks>
/// Values: 0 free; N &gt; 0 held shared N times; <see cref="int.MinValue"/> + N held exclusive while
/// N would-be shared holders wait. A shared waiter's increment stays counted while it waits, and
/// the exclusive release clears only the sign bit, so the waiters find a positive count that
/// already includes them and proceed without retrying (the 2025 fairness change: before it, the
/// release stored 0, discarding the waiters' increments and letting new exclusive attempts starve
/// them).
/// </remarks>
public sealed class CommandQueueLock(Waiter? waiter = null)
{
    private readonly Waiter waiter = waiter ?? Waiter.Default;
    private PaddedInt32 value;

    /// <summary>The raw lock word (diagnostics and tests).</summary>
    public int Value => Volatile.Read(ref value.Value);

    /// <summary>Takes the lock shared; waits only while an exclusive holder is inside.</summary>
    public void SharedLock()
    {
        // Fast path: no exclusive holder, our increment is the acquisition.
        if (Interlocked.Increment(ref value.Value) - 1 >= 0)
        {
            return;
        }

        // An exclusive holder is inside. Our increment is already counted; its release clears the
        // sign bit and leaves a positive count. Volatile.Read is the acquire that pairs with the
        // releasing Interlocked.And in ExclusiveUnlock.
        waiter.SpinUntil(ref value.Value, static (ref int v) => Volatile.Read(ref v) > 0);
    }

    /// <summary>Releases a shared hold (Interlocked is a full barrier: the holder's reads are done first).</summary>
    public void SharedUnlock() => Interlocked.Decrement(ref value.Value);

    /// <summary>
    /// Releases a shared hold unless this looks like the last one. Returns false, still holding,
    /// when the count is 1: the caller then publishes what it observed (the cached CONS) before
    /// calling <see cref="SharedUnlock"/>.
    /// </summary>
    public bool SharedTryUnlock()
    {
        if (Volatile.Read(ref value.Value) == 1)
        {
            return false;
        }

        SharedUnlock();
        return true;
    }

    /// <summary>Takes the lock exclusive if it is completely free; never waits.</summary>
    public bool ExclusiveTryLock() => Interlocked.CompareExchange(ref value.Value, int.MinValue, 0) == 0;

    /// <summary>
    /// Releases the exclusive hold by clearing only the sign bit: shared waiters that incremented
    /// meanwhile are thereby admitted, in one step (release semantics: Interlocked is a full barrier).
    /// </summary>
    public void ExclusiveUnlock() => Interlocked.And(ref value.Value, int.MaxValue);
}
