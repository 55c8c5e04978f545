using SmmuLab.Architecture.Memory;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Cmdq;

/// <summary>The waits on the SMMU: for queue space, and for a CMD_SYNC's completion.</summary>
public sealed partial class CommandQueue
{
    /// <summary>WFE is used only when CMD_SYNCs signal SEV and the platform wires the event.</summary>
    private WaitForEvent? WaitForEventOrNull => Completion == SyncCompletionMode.Sev ? events : null;

    /// <summary>
    /// The queue looked too full for <paramref name="needed"/> entries. One producer at a time
    /// refreshes the cached CONS from SMMU_CMDQ_CONS under the exclusive lock; the others watch the
    /// shared word for someone else's refresh. Returns a fresh snapshot of the shared word.
    /// </summary>
    /// <remarks>
    /// Differences from the kernel, all to bound every wait: a refresh that still leaves too little
    /// room backs off (and checks the deadline) before the caller retries, instead of re-reading the
    /// register at once; the watchers wait for room for <paramref name="needed"/> entries rather
    /// than just "not full", so that they do not bounce between here and the caller; and a watcher
    /// tries the exclusive refresh again after each pause, since the kernel's watcher, which only
    /// reads the cached word, recovers from a stale one only when its time-out sends it back to the
    /// caller's loop (and a time-out here is an error).
    /// </remarks>
    private ulong PollUntilSpace(ref WaitState wait, uint needed, uint prod)
    {
        // The exclusive lock is free only when no CMD_SYNC waiter holds it shared: moving the
        // cached CONS past a waiter's CMD_SYNC would let producers reuse its slot before the
        // waiter saw the completion. Trying (never waiting) keeps producers lock-free.
        if (Lock.ExclusiveTryLock())
        {
            StoreCachedCons(ReadHardwareCons());
            Lock.ExclusiveUnlock();
            var fresh = Volatile.Read(ref llq.Value);
            if (!QueueWord.HasSpace(QueueWord.Prod(fresh), QueueWord.Cons(fresh), Log2Entries, needed) && !waiter.Pause(ref wait))
            {
                throw Timeout("queue space", prod);
            }

            return fresh;
        }

        while (true)
        {
            var current = Volatile.Read(ref llq.Value);
            if (QueueWord.HasSpace(QueueWord.Prod(current), QueueWord.Cons(current), Log2Entries, needed))
            {
                return current;
            }

            if (!waiter.Pause(ref wait))
            {
                throw Timeout("queue space", prod);
            }

            // The last CMD_SYNC waiter out stores the CONS it saw, which may be older than one a
            // waiter before it saw; after that nobody may refresh again. So once the lock is free,
            // refresh here (the kernel gets there after a whole time-out, in its caller's retry).
            if (Lock.ExclusiveTryLock())
            {
                StoreCachedCons(ReadHardwareCons());
                Lock.ExclusiveUnlock();
            }
        }
    }

    /// <summary>
    /// Waits for the CMD_SYNC at <paramref name="syncProd"/>, then releases the shared lock taken
    /// when it was written. <paramref name="cons"/> is the CONS known at reservation.
    /// </summary>
    private void WaitForSync(uint syncProd, uint cons)
    {
        bool completed;
        try
        {
            completed = Completion == SyncCompletionMode.Msi ? PollUntilMsi(syncProd, ref cons) : PollUntilConsumed(syncProd, ref cons);
        }
        finally
        {
            // The last CMD_SYNC waiter out stores the CONS it observed into the shared word (a
            // cheap refresh for the producers), while still holding the lock so that no other
            // waiter can be relying on the old value. Any other waiter just leaves.
            waiter.At(OrderingPoint.CmdqSyncRelease);
            if (!Lock.SharedTryUnlock())
            {
                StoreCachedCons(cons);
                Lock.SharedUnlock();
            }
        }

        if (!completed)
        {
            throw Timeout("CMD_SYNC", syncProd);
        }
    }

    /// <summary>
    /// MSI polling: the CMD_SYNC's completion MSI writes 0 over the first 32 bits of its own slot.
    /// The MSI raises no event, so this spins (with back-off) rather than WFE. On completion the
    /// SMMU has consumed up to and including the CMD_SYNC.
    /// </summary>
    private bool PollUntilMsi(uint syncProd, ref uint cons)
    {
        // Acquire reads: once the zero is seen, whatever the SMMU did before the MSI is visible.
        if (ringPages is not null)
        {
            // The MSI zeroes the low 32 bits of the slot's first (little-endian) 64-bit word.
            var (page, word) = SlotView(ringPages, syncProd);
            var view = (Page: page, Word: word);
            if (!waiter.WaitUntil(ref view, static (ref (ulong[] Page, int Word) s) => (uint)Volatile.Read(ref s.Page[s.Word]) == 0,
                WaitPace.Backoff, pollTimeout))
            {
                return false;
            }

            cons = QueueWord.Advance(syncProd, Log2Entries, 1);
            return true;
        }

        var state = (Memory: memory, Slot: SlotAddress(syncProd));
        if (!waiter.WaitUntil(ref state, static (ref (IPhysicalMemory Memory, ulong Slot) s) => s.Memory.ReadVolatile32(s.Slot) == 0,
            WaitPace.Backoff, pollTimeout))
        {
            return false;
        }

        cons = QueueWord.Advance(syncProd, Log2Entries, 1);
        return true;
    }

    /// <summary>SEV or busy polling: read SMMU_CMDQ_CONS until it has passed the CMD_SYNC.</summary>
    private bool PollUntilConsumed(uint syncProd, ref uint cons)
    {
        cons = QueueWord.Cons(Volatile.Read(ref llq.Value));
        if (QueueWord.Consumed(cons, syncProd, Log2Entries))
        {
            return true;
        }

        var wait = waiter.Begin(WaitPace.Backoff, pollTimeout, WaitForEventOrNull);
        while (!QueueWord.Consumed(cons, syncProd, Log2Entries))
        {
            if (!waiter.Pause(ref wait))
            {
                return false;
            }

            // A fully ordered register read (the kernel uses readl, not readl_relaxed, here). The
            // lock count read by SharedTryUnlock afterwards must not move before this read: if
            // CONS is past a later CMD_SYNC, that CMD_SYNC's waiter took the lock shared before it
            // was published, and the ordered read guarantees we see its count. Otherwise a stale
            // count of 1 could make us publish a CONS past that waiter's slot.
            cons = ReadHardwareCons();
            Interlocked.MemoryBarrier();
        }

        return true;
    }
}
