using System.Runtime.InteropServices;

namespace SmmuLab.Hardware.Concurrency;

/// <summary>
/// An SMMU's device lock with a sequence count beside it, odd while a thread holds the lock to
/// translate (<see cref="EnterToTranslate"/>): to walk the page tables, fill the TLB or the walk
/// cache, or make an access with a translation; and while observers are attached or detached.
/// Other holds (<see cref="Enter"/>: registers, command consumption, reset) leave it alone, as they
/// add nothing to the TLB. A reader that changes nothing the lock guards can then prove, without
/// taking the lock, that no translating holder overlapped what it read (<see cref="TryBeginQuiet"/>,
/// <see cref="StillQuiet"/>). The command consumers of per-CPU queues use it to execute a TLBI that
/// has nothing to remove, and a CMD_SYNC that signals nothing, while other CPUs do the same.
/// </summary>
/// <remarks>
/// ORDERING. A translating holder makes the count odd with an interlocked increment (a full fence)
/// right after taking the lock, before it reads the TLB or the memory the SMMU walks, and even again
/// (a release store) before releasing it. A quiet reader issues a full fence, reads the count, reads
/// what it needs, then (behind a load-load barrier) the count again. This is a store-buffering pair
/// on the reader's side too: whatever the reader's thread, or the threads it synchronised with, wrote
/// before the fence (a page-table entry cleared before the TLBI was queued) is seen by every
/// translating holder whose increment the reader's first read missed. So either such a holder
/// overlapped the read (the counts differ or the first is odd: the reader falls back to the lock),
/// or it finished before (its writes, a TLB fill among them, are what the reader read), or it
/// starts after and sees the reader's memory as the reader saw it.
/// <para>
/// Nested holds by one thread (the lock is reentrant) change the count only at the outermost
/// translating hold; a translating hold nested in a plain one counts from there.
/// </para>
/// </remarks>
internal sealed class DeviceGate
{
    private readonly Lock inner = new();
    private readonly SequenceLine line = new();

    /// <summary>The count: odd while a translating holder is inside.</summary>
    public long Sequence => Volatile.Read(ref line.Value);

    /// <summary>The calling thread holds the lock.</summary>
    public bool IsHeldByCurrentThread => inner.IsHeldByCurrentThread;

    /// <summary>The calling thread holds the lock to translate (the count is odd: its hold made it so).</summary>
    public bool IsHeldToTranslate => inner.IsHeldByCurrentThread && (Volatile.Read(ref line.Value) & 1) != 0;

    /// <summary>Takes the lock (for a <c>using</c> statement) for work that adds nothing to the TLB and makes no translated access; the count stays as it is.</summary>
    public Scope Enter()
    {
        inner.Enter();
        return new Scope(this, counted: false);
    }

    /// <summary>
    /// Takes the lock (for a <c>using</c> statement) to translate, or to change what quiet readers
    /// rely on; the count turns odd unless this thread's count is odd already.
    /// </summary>
    public Scope EnterToTranslate()
    {
        inner.Enter();
        if ((line.Value & 1) != 0)
        {
            // Odd with the lock held: this thread made it so in an enclosing hold.
            return new Scope(this, counted: false);
        }

        Interlocked.Increment(ref line.Value);
        return new Scope(this, counted: true);
    }

    /// <summary>
    /// Begins a quiet read: true, with the count in <paramref name="sequence"/>, when no translating
    /// holder is inside; false sends the caller to the lock.
    /// </summary>
    public bool TryBeginQuiet(out long sequence)
    {
        Interlocked.MemoryBarrier();
        sequence = Volatile.Read(ref line.Value);
        return (sequence & 1) == 0;
    }

    /// <summary>Ends a quiet read: true when no translating holder entered since <see cref="TryBeginQuiet"/>.</summary>
    public bool StillQuiet(long sequence)
    {
        Volatile.ReadBarrier();
        return Volatile.Read(ref line.Value) == sequence;
    }

    private void Exit(bool counted)
    {
        if (counted)
        {
            Volatile.Write(ref line.Value, line.Value + 1);
        }

        inner.Exit();
    }

    /// <summary>One hold of the lock; disposing releases it (and ends the count's odd stretch when this hold began it).</summary>
    public readonly ref struct Scope
    {
        private readonly DeviceGate gate;
        private readonly bool counted;

        internal Scope(DeviceGate gate, bool counted)
        {
            this.gate = gate;
            this.counted = counted;
        }

        public void Dispose() => gate.Exit(counted);
    }

    /// <summary>The count on a cache line of its own: quiet readers on other CPUs keep it shared while the lock's word moves.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private sealed class SequenceLine
    {
        [FieldOffset(64)]
        public long Value;
    }
}
