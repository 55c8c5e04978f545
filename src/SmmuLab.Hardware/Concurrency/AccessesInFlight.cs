using System.Runtime.InteropServices;

namespace SmmuLab.Hardware.Concurrency;

/// <summary>
/// Accesses made without the device lock, and the grace period that waits them out: each thread
/// marks its own slot while it translates and copies one page (an odd sequence number: in flight),
/// and an invalidation that must not complete while an access that may have used the old
/// translation is still under way (a CMD_SYNC, SMMUEN cleared) calls <see cref="WaitForAccessesInFlight"/>
/// after its change is made. An RCU-style grace period with one slot per thread, as Linux's
/// per-CPU reader marks and Garnet's <c>LightEpoch</c> keep them.
/// </summary>
/// <remarks>
/// ORDERING (a store-buffering pair, each side fenced):
/// <list type="bullet">
/// <item>The access marks its slot with an interlocked increment (a full fence), then reads the
/// TLB and the configuration.</item>
/// <item>The invalidation rewrites the TLB or the configuration, then issues a full fence, then reads
/// the slots.</item>
/// </list>
/// So either the access sees the change (its lookup misses and it goes to the locked path), or the
/// waiter sees the slot odd and spins until that access has ended: its data and its report to
/// observers are done before the CMD_SYNC completes. An access using translations made earlier
/// (a run of pages translated under the lock) renews its mark between pages (<see cref="Renew"/>):
/// the same pair with <see cref="Periods"/> in place of the TLB, so either the waiter waited for it
/// or it sees that a grace period began and translates the rest again. A slot registered during a wait is the same
/// pair: its registration precedes the access's fence. An access must never wait for the device
/// lock while marked (the waiter holds it): on a miss it ends its mark before taking the lock.
/// </remarks>
internal sealed class AccessesInFlight
{
    [ThreadStatic]
    private static Slot? lastSlot;

    private readonly PerThreadCells<Slot> slots;
    private long waits;
    private long periods;

    public AccessesInFlight()
    {
        slots = new PerThreadCells<Slot>(() => new Slot { Owner = this });
    }

    /// <summary>Grace periods that found an access in flight and waited for it.</summary>
    public long Waits => Interlocked.Read(ref waits);

    /// <summary>
    /// Grace periods begun so far. An access that holds translations made earlier (a run of pages)
    /// reads it when they are made and again, after each <see cref="Renew"/>, before using the next
    /// one: a change means a grace period began meanwhile and may not have waited for the rest.
    /// </summary>
    public long Periods => Volatile.Read(ref periods);

    /// <summary>Marks the calling thread's access as in flight; pass the result to <see cref="End"/>.</summary>
    public Slot Begin()
    {
        var mine = lastSlot;
        if (mine is null || mine.Owner != this)
        {
            mine = lastSlot = slots.Mine;
        }

        Interlocked.Increment(ref mine.Sequence);
        return mine;
    }

    /// <summary>Ends the access <see cref="Begin"/> marked: everything it did is visible before the slot turns even.</summary>
    public static void End(Slot slot) => Volatile.Write(ref slot.Sequence, slot.Sequence + 1);

    /// <summary>
    /// Ends the calling thread's mark and starts it again, letting a grace period that waits for it
    /// finish; true when no grace period began since <paramref name="period"/> (<see cref="Periods"/>,
    /// read while the translations being used were current), so they may still be used.
    /// </summary>
    public bool Renew(Slot slot, long period)
    {
        End(slot);
        Interlocked.Increment(ref slot.Sequence);
        return Volatile.Read(ref periods) == period;
    }

    /// <summary>
    /// Returns once every access that was in flight when this call started has ended. The caller
    /// has already made its change (TLBI, CFGI, SMMUEN) visible to accesses that begin later.
    /// </summary>
    public void WaitForAccessesInFlight()
    {
        // The change is visible before the slots are read (a full fence). No slot at all: no thread
        // has ever made an access without the lock, so none is in flight and no run holds
        // translations (a run registers its slot under the device lock, which the caller holds), and
        // the shared count of grace periods is left alone (a command queue without DMA beside it
        // then writes no line that other threads' CMD_SYNCs write).
        Interlocked.MemoryBarrier();
        var all = slots.All;
        if (all.Length == 0)
        {
            return;
        }

        // Begun before any slot is read: a run that renews its mark after this either is waited
        // for or sees the count move (the store-buffering pair of the remarks).
        Interlocked.Increment(ref periods);
        foreach (var slot in all)
        {
            var seen = Volatile.Read(ref slot.Sequence);
            if ((seen & 1) == 0)
            {
                continue;
            }

            Interlocked.Increment(ref waits);
            var spinner = default(SpinWait);
            while (Volatile.Read(ref slot.Sequence) == seen)
            {
                // Never Sleep(1): the access it waits for is a page long.
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    /// <summary>One thread's mark, padded to a cache line of its own.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    internal sealed class Slot
    {
        [FieldOffset(0)]
        public AccessesInFlight? Owner;

        [FieldOffset(64)]
        public long Sequence;
    }
}
