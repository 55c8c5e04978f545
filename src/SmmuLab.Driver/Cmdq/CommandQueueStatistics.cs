using SmmuLab.Architecture.Registers;

namespace SmmuLab.Driver.Cmdq;

/// <summary>What one command queue's producers did. Updates are atomic; a read gives a consistent-enough view.</summary>
public sealed class CommandQueueStatistics
{
    private long issueCalls;
    private long commands;
    private long syncs;
    private long batches;
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
    public long IssueCalls => Interlocked.Read(ref issueCalls);

    /// <summary>Commands issued, not counting the CMD_SYNCs the queue appended.</summary>
    public long CommandsIssued => Interlocked.Read(ref commands);

    /// <summary>CMD_SYNCs appended to command lists.</summary>
    public long SyncsIssued => Interlocked.Read(ref syncs);

    /// <summary>Command lists a <see cref="CommandBatch"/> issued (when full, forced, or submitted).</summary>
    public long Batches => Interlocked.Read(ref batches);

    /// <summary>Producers that found no owner and became the one to publish PROD.</summary>
    public long OwnerElections => Interlocked.Read(ref ownerElections);

    /// <summary>Entries (commands and CMD_SYNCs) owners published, their own and gathered ones.</summary>
    public long OwnerPublishedEntries => Interlocked.Read(ref ownerPublished);

    /// <summary>Entries reserved by other producers while an owner gathered, and published by that owner.</summary>
    public long GatheredEntries => Interlocked.Read(ref gathered);

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

    internal void CountIssue(int n, bool sync)
    {
        Interlocked.Increment(ref issueCalls);
        Interlocked.Add(ref commands, n);
        if (sync)
        {
            Interlocked.Increment(ref syncs);
        }
    }

    internal void CountBatch() => Interlocked.Increment(ref batches);

    internal void CountOwner(uint published, uint gatheredEntries)
    {
        Interlocked.Increment(ref ownerElections);
        Interlocked.Add(ref ownerPublished, published);
        Interlocked.Add(ref gathered, gatheredEntries);
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
}
