namespace SmmuLab.Exploration;

/// <summary>
/// The command-queue states an exploration's schedules reached, summed over its iterations: a
/// correct exploration means more when some schedule filled the queue and some owner gathered
/// another producer's slots.
/// </summary>
public sealed class CommandQueueReach
{
    private long fullWaits;
    private long gathered;
    private long retries;

    /// <summary>Waits for space in a full queue.</summary>
    public long FullWaits => Interlocked.Read(ref fullWaits);

    /// <summary>Entries an owner gathered for other producers.</summary>
    public long Gathered => Interlocked.Read(ref gathered);

    /// <summary>Reservations retried after a lost compare-exchange.</summary>
    public long Retries => Interlocked.Read(ref retries);

    /// <summary>Adds one iteration's counts.</summary>
    public void Add(long fullQueueWaits, long gatheredEntries, long reservationRetries)
    {
        Interlocked.Add(ref fullWaits, fullQueueWaits);
        Interlocked.Add(ref gathered, gatheredEntries);
        Interlocked.Add(ref retries, reservationRetries);
    }

    public override string ToString() =>
        FormattableString.Invariant($"full-queue waits {FullWaits}, gathered entries {Gathered}, reservation retries {Retries}");
}
