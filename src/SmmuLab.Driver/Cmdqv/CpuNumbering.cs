namespace SmmuLab.Driver.Cmdqv;

/// <summary>
/// A stand-in for <c>raw_smp_processor_id()</c>, one per CMDQV driver: each thread gets a small
/// number the first time it asks this numbering, in the order threads first ask, and keeps it. Two
/// threads that start issuing one after the other get consecutive numbers, so
/// <c>Current % n</c> spreads them over different queues.
/// </summary>
internal sealed class CpuNumbering
{
    /// <summary>This thread's number plus one; 0 until assigned.</summary>
    private readonly ThreadLocal<int> mine = new();
    private int assigned;

    /// <summary>The calling thread's number.</summary>
    public int Current
    {
        get
        {
            var id = mine.Value;
            if (id == 0)
            {
                id = Interlocked.Increment(ref assigned);
                mine.Value = id;
            }

            return id - 1;
        }
    }
}
