namespace SmmuLab.Driver.Cmdqv;

/// <summary>
/// A stand-in for <c>raw_smp_processor_id()</c>: each thread gets a small number on first use,
/// in the order threads first ask, and keeps it. Two threads started one after the other get
/// consecutive numbers, so <c>Current % n</c> spreads them over different queues.
/// </summary>
public static class CpuId
{
    private static int assigned;

    /// <summary>This thread's number plus one; 0 until assigned.</summary>
    [ThreadStatic]
    private static int mine;

    public static int Current
    {
        get
        {
            var id = mine;
            if (id == 0)
            {
                id = Interlocked.Increment(ref assigned);
                mine = id;
            }

            return id - 1;
        }
    }
}
