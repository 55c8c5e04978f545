using System.Runtime.InteropServices;

namespace SmmuLab.Hardware.Concurrency;

/// <summary>
/// An SMMU's device lock with a sequence count beside it, odd while any thread holds the lock: a
/// seqlock over everything the lock guards. A reader that changes nothing the lock guards can then
/// prove, without taking the lock, that no holder overlapped what it read
/// (<see cref="TryBeginQuiet"/>, <see cref="StillQuiet"/>), and act as if it had taken the lock at
/// an instant between two holders. The command consumers of per-CPU queues use it to execute a TLBI
/// that has nothing to remove, and a CMD_SYNC that signals nothing, while other CPUs do the same.
/// </summary>
/// <remarks>
/// ORDERING. A holder makes the count odd with an interlocked increment (a full fence) right after
/// taking the lock, before it reads anything the lock guards or the memory the SMMU walks, and even
/// again (a release store) before releasing it. A quiet reader issues a full fence, reads the count,
/// reads the guarded state, then (behind a load-load barrier) the count again. This is a
/// store-buffering pair on the reader's side too: whatever the reader's thread, or the threads it
/// synchronised with, wrote before the fence (a page-table entry cleared before the TLBI was
/// queued) is seen by every holder whose increment the reader's first read missed. So either a
/// holder overlapped the read (the counts differ or the first is odd: the reader falls back to the
/// lock), or it finished before (its writes, a TLB fill among them, are what the reader read), or it
/// starts after and sees the reader's memory as the reader saw it.
/// <para>
/// Nested holds by one thread (the lock is reentrant) change the count only at the outermost.
/// </para>
/// </remarks>
internal sealed class DeviceGate
{
    private readonly Lock inner = new();
    private readonly SequenceLine line = new();

    /// <summary>The count: odd while a holder is inside.</summary>
    public long Sequence => Volatile.Read(ref line.Value);

    /// <summary>The calling thread holds the lock.</summary>
    public bool IsHeldByCurrentThread => inner.IsHeldByCurrentThread;

    /// <summary>Takes the lock (for a <c>using</c> statement); the count turns odd at the outermost hold.</summary>
    public Scope Enter()
    {
        var outermost = !inner.IsHeldByCurrentThread;
        inner.Enter();
        if (outermost)
        {
            Interlocked.Increment(ref line.Value);
        }

        return new Scope(this, outermost);
    }

    /// <summary>
    /// Begins a quiet read: true, with the count in <paramref name="sequence"/>, when no holder is
    /// inside; false sends the caller to the lock.
    /// </summary>
    public bool TryBeginQuiet(out long sequence)
    {
        Interlocked.MemoryBarrier();
        sequence = Volatile.Read(ref line.Value);
        return (sequence & 1) == 0;
    }

    /// <summary>Ends a quiet read: true when no holder entered since <see cref="TryBeginQuiet"/>.</summary>
    public bool StillQuiet(long sequence)
    {
        Volatile.ReadBarrier();
        return Volatile.Read(ref line.Value) == sequence;
    }

    private void Exit(bool outermost)
    {
        if (outermost)
        {
            Volatile.Write(ref line.Value, line.Value + 1);
        }

        inner.Exit();
    }

    /// <summary>One hold of the lock; disposing releases it.</summary>
    public readonly ref struct Scope
    {
        private readonly DeviceGate gate;
        private readonly bool outermost;

        internal Scope(DeviceGate gate, bool outermost)
        {
            this.gate = gate;
            this.outermost = outermost;
        }

        public void Dispose() => gate.Exit(outermost);
    }

    /// <summary>The count on a cache line of its own: quiet readers on other CPUs keep it shared while the lock's word moves.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private sealed class SequenceLine
    {
        [FieldOffset(64)]
        public long Value;
    }
}
