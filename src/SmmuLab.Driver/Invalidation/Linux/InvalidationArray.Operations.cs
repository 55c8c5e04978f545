using System.Diagnostics;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Invalidation.Linux;

/// <summary>Merge, unref and purge (Linux <c>arm_smmu_invs_merge</c>, <c>_unref</c>, <c>_purge</c>).</summary>
internal sealed partial class InvalidationArray
{
    /// <summary>
    /// A new array holding this array's live entries and <paramref name="toMerge"/>'s: an entry in
    /// both gains one user, an entry only in <paramref name="toMerge"/> starts with one, trash is
    /// dropped. This array is not changed. Both must be sorted; the caller serialises writers.
    /// </summary>
    /// <exception cref="DmaAllocationException">The new array could not be allocated; nothing changed.</exception>
    /// <exception cref="ArgumentException"><paramref name="toMerge"/> is not sorted or repeats an entry.</exception>
    public InvalidationArray Merge(InvalidationArray toMerge, InvalidationArrayAllocator allocator)
    {
        ArgumentNullException.ThrowIfNull(toMerge);
        ArgumentNullException.ThrowIfNull(allocator);

        // One pass, into an array sized for the worst case: each step of the walk yields exactly
        // one output entry, and there are at most as many steps as entries in both inputs (trash
        // skipped and matched pairs make it fewer). Linux counts the steps in a first pass to
        // allocate exactly; here the spare capacity beyond Count is never read.
        var result = allocator.Allocate(Count + toMerge.Count);
        var output = result.entries;
        var k = 0;
        var hasAts = false;

        // A copy, never a shared slot: readers of this array keep seeing its counts.
        for (var walk = new LockStep(this, toMerge); walk.MoveNext(); k++)
        {
            ref var dst = ref output[k];
            if (walk.Cmp < 0)
            {
                dst = entries[walk.I];
                dst.users = UsersAt(walk.I);
            }
            else if (walk.Cmp == 0)
            {
                dst = entries[walk.I];
                dst.users = UsersAt(walk.I) + 1;
            }
            else
            {
                dst = toMerge.entries[walk.J];
                dst.users = 1;
            }

            if (k > 0 && InvalidationEntry.Compare(output[k - 1], dst) >= 0)
            {
                throw new ArgumentException($"the array to merge is not sorted or repeats an entry ({output[k - 1]} then {dst})", nameof(toMerge));
            }

            hasAts |= dst.Type.IsAts();
        }

        // Not yet published: plain writes, ordered before the owner's publication.
        result.count = k;
        result.HasAts = hasAts;
        return result;
    }

    /// <summary>
    /// Removes one user from each entry of <paramref name="toUnref"/>, in place; cannot fail. An
    /// entry left without users becomes trash; trash at the end is cut off by lowering
    /// <see cref="Count"/> (under the write side of the ATC fence), trash in between stays until a
    /// merge or purge. <paramref name="toUnref"/>'s user counts are overwritten as the result: 1 if
    /// the entry still has users, 0 if it just became trash.
    /// </summary>
    public void Unref(InvalidationArray toUnref)
    {
        ArgumentNullException.ThrowIfNull(toUnref);
        var num = Count;
        var newNum = 0;
        for (var walk = new LockStep(this, toUnref); walk.MoveNext();)
        {
            if (walk.Cmp < 0)
            {
                // Not being removed: the array reaches at least this far.
                newNum = walk.I + 1;
            }
            else if (walk.Cmp == 0)
            {
                fence.Waiter.At(OrderingPoint.Unref);
                var u = UsersAt(walk.I) - 1;
                if (u < 0)
                {
                    Interlocked.Increment(ref warnings);
                    continue;
                }

                Volatile.Write(ref entries[walk.I].users, u);
                if (u > 0)
                {
                    Volatile.Write(ref toUnref.entries[walk.J].users, 1);
                    newNum = walk.I + 1;
                }
                else
                {
                    Volatile.Write(ref toUnref.entries[walk.J].users, 0);
                    Volatile.Write(ref trashes, trashes + 1);
                }
            }
            else
            {
                // Asked to remove an entry that is absent or already trash.
                Interlocked.Increment(ref warnings);
            }
        }

        // Everything from newNum on is trash: forget it.
        Volatile.Write(ref trashes, trashes - (num - newNum));

        // The write side waits for every invalidation that entered with ATC entries to finish, so
        // when unref returns no ATC_INV for an entry removed here can still be on its way; later
        // readers see the new count and the zeroed users.
        fence.Waiter.At(OrderingPoint.Unref);
        fence.EnterWrite();
        try
        {
            Volatile.Write(ref count, newNum);
        }
        finally
        {
            fence.ExitWrite();
        }
    }

    /// <summary>
    /// A new array without the trash, or null when there is nothing to compact (no trash, or
    /// empty) or the allocation failed — the caller then keeps this array, which stays correct.
    /// This array is not changed.
    /// </summary>
    public InvalidationArray? Purge(InvalidationArrayAllocator allocator)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        var num = Count;
        var trash = TrashCount;
        if (num < trash)
        {
            Interlocked.Increment(ref warnings);
            return null;
        }

        if (num == 0 || trash == 0)
        {
            return null;
        }

        InvalidationArray result;
        try
        {
            result = allocator.Allocate(num - trash);
        }
        catch (DmaAllocationException)
        {
            return null;
        }

        var k = 0;
        for (var i = NextLive(0, num); i < num; i = NextLive(i + 1, num), k++)
        {
            ref var dst = ref result.entries[k];
            dst = entries[i];
            dst.users = UsersAt(i);
            result.HasAts |= dst.Type.IsAts();
        }

        Debug.Assert(k == result.entries.Length, "trash count out of step with the entries");
        return result;
    }

    /// <summary>
    /// Walks a domain array (trash skipped) and a scratch array (taken as is) in step. Each step
    /// yields <see cref="Cmp"/>: negative — only the left entry <see cref="I"/>; zero — both;
    /// positive — only the right entry <see cref="J"/>. Afterwards the left side advances when
    /// Cmp &lt;= 0 and the right side when Cmp &gt;= 0.
    /// </summary>
    private ref struct LockStep
    {
        private readonly InvalidationArray left;
        private readonly InvalidationArray right;
        private readonly int leftEnd;
        private readonly int rightEnd;
        private bool started;

        public LockStep(InvalidationArray left, InvalidationArray right)
        {
            this.left = left;
            this.right = right;
            leftEnd = left.Count;
            rightEnd = right.Count;
            I = left.NextLive(0, leftEnd);
            J = 0;
        }

        public int I { get; private set; }

        public int J { get; private set; }

        public int Cmp { get; private set; }

        public bool MoveNext()
        {
            if (started)
            {
                if (Cmp <= 0)
                {
                    I = left.NextLive(I + 1, leftEnd);
                }

                if (Cmp >= 0)
                {
                    J++;
                }
            }

            started = true;
            if (I >= leftEnd && J >= rightEnd)
            {
                return false;
            }

            Cmp = I >= leftEnd ? 1 : J >= rightEnd ? -1 : InvalidationEntry.Compare(left.entries[I], right.entries[J]);
            return true;
        }
    }
}
