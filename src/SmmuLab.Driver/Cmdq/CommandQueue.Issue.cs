using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Cmdq;

/// <summary>The producer side: reservation, writing, owner election and publication.</summary>
public sealed partial class CommandQueue
{
    /// <summary>Issues one command without waiting for it.</summary>
    public void IssueCommand(in Command command) => IssueCommands(new ReadOnlySpan<Command>(in command), sync: false);

    /// <summary>Issues one command followed by a CMD_SYNC in the same reservation, and waits for the CMD_SYNC.</summary>
    public void IssueCommandWithSync(in Command command) => IssueCommands(new ReadOnlySpan<Command>(in command), sync: true);

    /// <summary>Issues a lone CMD_SYNC and waits for it: every command inserted before it has completed.</summary>
    public void Sync() => IssueCommands([], sync: true);

    /// <summary>
    /// Inserts <paramref name="commands"/>, followed by a CMD_SYNC when <paramref name="sync"/> is
    /// set, as one contiguous run that no other producer's commands interleave with. Returns once
    /// the run is published to the SMMU, or, with <paramref name="sync"/>, once the CMD_SYNC has
    /// completed, which means every command inserted before it (by anyone) has completed too.
    /// </summary>
    /// <remarks>
    /// Memory written before the call (stream table entries, context descriptors, page tables) is
    /// visible to the SMMU before any of these commands: the commands are published with
    /// interlocked operations and a register write that order everything before them.
    /// </remarks>
    /// <exception cref="CommandQueueTimeoutException">The SMMU made no room, or did not complete the CMD_SYNC, in time.</exception>
    public void IssueCommands(ReadOnlySpan<Command> commands, bool sync) => Issue(commands, sync, batch: false);

    /// <summary><see cref="IssueCommands"/> for a <see cref="CommandBatch"/>, counted as one of its batches.</summary>
    internal void IssueBatch(ReadOnlySpan<Command> commands, bool sync) => Issue(commands, sync, batch: true);

    private void Issue(ReadOnlySpan<Command> commands, bool sync, bool batch)
    {
        var n = (uint)commands.Length;
        var total = n + (sync ? 1u : 0u);
        if (total == 0)
        {
            return;
        }

        if (total > Entries)
        {
            throw new ArgumentException($"{Name}: {total} entries never fit a {Entries}-entry queue", nameof(commands));
        }

        ObjectDisposedException.ThrowIf(disposed, this);
        var log2 = Log2Entries;

        // 1. Reserve [start, end) by moving the shared PROD forward with one compare-exchange, and
        //    set the owned flag in the same step. Whoever finds the flag clear becomes the owner
        //    and will publish PROD; whoever finds it set has just been gathered by the current
        //    owner, which will publish these slots too.
        waiter.At(OrderingPoint.CmdqReserve);
        var old = Volatile.Read(ref llq.Value);
        var wait = default(WaitState);
        var waited = false;
        ulong head;
        while (true)
        {
            while (!QueueWord.HasSpace(QueueWord.Prod(old), QueueWord.Cons(old), log2, total))
            {
                if (!waited)
                {
                    // One deadline for the whole reservation, however many refreshes it takes.
                    wait = waiter.Begin(WaitPace.Backoff, pollTimeout, WaitForEventOrNull);
                    waited = true;
                    Statistics.CountFullWait();
                }

                old = PollUntilSpace(ref wait, total, QueueWord.Prod(old) & ~QueueWord.OwnedFlag);
            }

            // The advance keeps bit 31, so a flag already set stays set; OR it in for a new owner.
            head = QueueWord.Pack(QueueWord.Advance(QueueWord.Prod(old), log2, total) | QueueWord.OwnedFlag, QueueWord.Cons(old));
            var seen = Interlocked.CompareExchange(ref llq.Value, head, old);
            if (seen == old)
            {
                break;
            }

            old = seen;
            Statistics.CountRetry();
        }

        waiter.At(OrderingPoint.CmdqWrite);
        Statistics.CountIssue(commands.Length, sync, batch);
        var owner = (QueueWord.Prod(old) & QueueWord.OwnedFlag) == 0;
        var start = QueueWord.Prod(old) & ~QueueWord.OwnedFlag;
        var end = QueueWord.Prod(head) & ~QueueWord.OwnedFlag;
        var cons = QueueWord.Cons(old);

        // 2. Write the commands into the reserved slots. The SMMU cannot see them yet: PROD will
        //    only be published after their valid bits are set in step 3.
        var p = start;
        foreach (ref readonly var command in commands)
        {
            WriteSlot(p, command);
            p = QueueWord.Advance(p, log2, 1);
        }

        var syncProd = p;
        if (sync)
        {
            WriteSlot(syncProd, BuildSync(syncProd));

            // Take the lock shared before the CMD_SYNC can be published (its valid bit is set just
            // below, and only then may an owner write PROD). While any CMD_SYNC waiter holds it
            // shared, nobody refreshes the cached CONS from the SMMU, and a waiter that is not the
            // last one does not publish its own view of CONS: so no producer can reserve this
            // CMD_SYNC's slot again, and the queue cannot wrap twice under the waiter unnoticed,
            // until the waiter has seen its completion.
            Lock.SharedLock();
        }

        // 3. Mark the slots valid. The interlocked update is a full barrier: the command writes of
        //    step 2 are visible before the valid bits that let an owner publish them.
        waiter.At(OrderingPoint.CmdqMarkValid);
        validMap.MarkValid(start, end);

        // 4. The owner publishes everything reserved from its start up to where it stops gathering.
        if (owner)
        {
            PublishAsOwner(start, end);
        }

        // 5. With a CMD_SYNC, wait for it; then release the lock (the last waiter out publishes
        //    the CONS it observed).
        if (sync)
        {
            WaitForSync(syncProd, cons);
        }
    }

    /// <summary>Steps 4a-4e: wait for the previous owner, stop gathering, wait for the gathered slots, write PROD.</summary>
    private void PublishAsOwner(uint start, uint end)
    {
        // a. Owners publish in reservation order: the previous owner's run ends exactly where
        //    ours starts, and it must have written PROD before we write ours (PROD never goes back).
        var handover = (Queue: this, Start: start);
        waiter.SpinUntil(ref handover, static (ref (CommandQueue Queue, uint Start) s) => Volatile.Read(ref s.Queue.ownerProd.Value) == s.Start);

        // b. Clear the owned flag atomically. This closes the gathering window: the value it had
        //    is the end of every reservation we now answer for; the next reservation finds the
        //    flag clear and becomes the next owner, starting exactly there.
        waiter.At(OrderingPoint.CmdqOwnerClose);
        var prod = QueueWord.Prod(Interlocked.And(ref llq.Value, ~(ulong)QueueWord.OwnedFlag)) & ~QueueWord.OwnedFlag;

        // c. PROD is written only after every gathered slot is valid, i.e. fully written by its
        //    producer (which may still be in step 2 right now).
        if (Fault != CommandQueueFault.PublishUnwritten)
        {
            validMap.WaitValid(start, prod);
        }

        // d. Publish. The acquire reads of the valid map above order the command writes before
        //    this register write; the SMMU may now consume up to prod.
        waiter.At(OrderingPoint.CmdqPublish);
        mmio.Write32(prodRegister, prod);

        // e. Hand over to the next owner only after our PROD write (release). The owner counts are
        //    written before it: owners count one at a time.
        Statistics.CountOwner(QueueWord.Distance(start, prod, Log2Entries), QueueWord.Distance(end, prod, Log2Entries));
        waiter.At(OrderingPoint.CmdqHandover);
        Volatile.Write(ref ownerProd.Value, prod);
    }
}
