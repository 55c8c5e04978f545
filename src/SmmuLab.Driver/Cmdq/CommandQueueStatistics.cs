using SmmuLab.Architecture.Registers;

namespace SmmuLab.Driver.Cmdq;

/// <summary>What one command queue's producers did. A read gives a consistent-enough view while producers run.</summary>
/// <remarks>
/// The counts of every issue are kept without a locked instruction, since four of them per CMD_SYNC
/// cost as much as the queue protocol itself: each producer thread counts its own issues in its
/// own counts (one writer each; a thread's counts stay after it ends, and reads sum them), and the owner counts are
/// written only by the current owner, before it hands over (owners run one at a time, and the
/// handover's release write orders the counts before the next owner's). The rare events (retries,
/// waits, errors) stay interlocked.
/// </remarks>
public sealed class CommandQueueStatistics
{
    private readonly ThreadLocal<ProducerCounts> producers = new(static () => new ProducerCounts(), trackAllValues: true);
    private long ownerElections;
    private long ownerPublished;
    private long gathered;
    private long reservationRetries;
    private long fullWaits;
    private long timeouts;
    private long illegalCommands;
    private long fetchAborts;
    private long atcSyncTimeouts;

    /// <summary>Calls of <see cref="CommandQueue.IssueCommands"/> (including those from batches).</summary>
    public long IssueCalls => Sum(static c => Volatile.Read(ref c.IssueCalls));

    /// <summary>Commands issued, not counting the CMD_SYNCs the queue appended.</summary>
    public long CommandsIssued => Sum(static c => Volatile.Read(ref c.Commands));

    /// <summary>CMD_SYNCs appended to command lists.</summary>
    public long SyncsIssued => Sum(static c => Volatile.Read(ref c.Syncs));

    /// <summary>Command lists a <see cref="CommandBatch"/> issued (when full, forced, or submitted).</summary>
    public long Batches => Sum(static c => Volatile.Read(ref c.Batches));

    /// <summary>Producers that found no owner and became the one to publish PROD.</summary>
    public long OwnerElections => Volatile.Read(ref ownerElections);

    /// <summary>Entries (commands and CMD_SYNCs) owners published, their own and gathered ones.</summary>
    public long OwnerPublishedEntries => Volatile.Read(ref ownerPublished);

    /// <summary>Entries reserved by other producers while an owner gathered, and published by that owner.</summary>
    public long GatheredEntries => Volatile.Read(ref gathered);

    /// <summary>Reservations whose compare-exchange lost to another producer and were retried.</summary>
    public long ReservationRetries => Interlocked.Read(ref reservationRetries);

    /// <summary>Reservations that found too little space and had to wait for the SMMU.</summary>
    public long FullQueueWaits => Interlocked.Read(ref fullWaits);

    /// <summary>Waits that ended in <see cref="CommandQueueTimeoutException"/>.</summary>
    public long Timeouts => Interlocked.Read(ref timeouts);

    /// <summary>CERROR_ILL handled (the command was replaced by a CMD_SYNC).</summary>
    public long IllegalCommands => Interlocked.Read(ref illegalCommands);

    /// <summary>CERROR_ABT handled (the fetch is retried).</summary>
    public long FetchAborts => Interlocked.Read(ref fetchAborts);

    /// <summary>CERROR_ATC_INV_SYNC handled (the CMD_SYNC is retried).</summary>
    public long AtcInvalidationTimeouts => Interlocked.Read(ref atcSyncTimeouts);

    public override string ToString() =>
        $"issue calls {IssueCalls}, commands {CommandsIssued}, syncs {SyncsIssued}, batches {Batches}, " +
        $"owners {OwnerElections} (published {OwnerPublishedEntries}, gathered {GatheredEntries}), " +
        $"CAS retries {ReservationRetries}, full waits {FullQueueWaits}, timeouts {Timeouts}, " +
        $"errors ILL {IllegalCommands} ABT {FetchAborts} ATC_INV_SYNC {AtcInvalidationTimeouts}";

    /// <summary>An issue call of <paramref name="n"/> commands; <paramref name="batch"/> when a <see cref="CommandBatch"/> made it (one thread-local lookup for both).</summary>
    internal void CountIssue(int n, bool sync, bool batch)
    {
        var mine = producers.Value!;
        Volatile.Write(ref mine.IssueCalls, mine.IssueCalls + 1);
        Volatile.Write(ref mine.Commands, mine.Commands + n);
        if (sync)
        {
            Volatile.Write(ref mine.Syncs, mine.Syncs + 1);
        }

        if (batch)
        {
            Volatile.Write(ref mine.Batches, mine.Batches + 1);
        }
    }

    /// <summary>Only the current owner calls this, before its handover write.</summary>
    internal void CountOwner(uint published, uint gatheredEntries)
    {
        Volatile.Write(ref ownerElections, ownerElections + 1);
        Volatile.Write(ref ownerPublished, ownerPublished + published);
        Volatile.Write(ref gathered, gathered + gatheredEntries);
    }

    internal void CountRetry() => Interlocked.Increment(ref reservationRetries);

    internal void CountFullWait() => Interlocked.Increment(ref fullWaits);

    internal void CountTimeout() => Interlocked.Increment(ref timeouts);

    internal void CountError(CommandError error)
    {
        switch (error)
        {
            case CommandError.CERROR_NONE:
                break;
            case CommandError.CERROR_ABT:
                Interlocked.Increment(ref fetchAborts);
                break;
            case CommandError.CERROR_ATC_INV_SYNC:
                Interlocked.Increment(ref atcSyncTimeouts);
                break;
            default:
                Interlocked.Increment(ref illegalCommands);
                break;
        }
    }

    private long Sum(Func<ProducerCounts, long> field)
    {
        var total = 0L;
        foreach (var counts in producers.Values)
        {
            total += field(counts);
        }

        return total;
    }

    /// <summary>One producer thread's counts; only that thread writes them.</summary>
    private sealed class ProducerCounts
    {
        public long IssueCalls;
        public long Commands;
        public long Syncs;
        public long Batches;
    }
}
