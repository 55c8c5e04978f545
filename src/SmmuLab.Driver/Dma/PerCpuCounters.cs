namespace SmmuLab.Driver.Dma;

/// <summary>
/// Event counters that every CPU adds to in a block of its own (Linux keeps such counts in per-CPU
/// variables): two CPUs counting the same event never write the same cache line, so a count on the
/// map/unmap path costs an uncontended atomic add, not a line moved between cores. A read sums the
/// blocks, so it is exact per counter once the writers are quiet, and never torn.
/// </summary>
internal sealed class PerCpuCounters
{
    /// <summary>Longs per block: 128 bytes, so blocks stay apart under adjacent-line prefetch as well.</summary>
    public const int MaxCounters = 16;

    private readonly long[] cells;
    private readonly int cpus;

    /// <param name="cpus">The CPU count; a CPU number outside it counts in block 0.</param>
    public PerCpuCounters(int cpus)
    {
        this.cpus = Math.Max(cpus, 1);

        // A spare block before the first and after the last keeps other heap objects off their lines.
        cells = new long[(this.cpus + 2) * MaxCounters];
    }

    /// <summary>Adds <paramref name="amount"/> to <paramref name="counter"/> in <paramref name="cpu"/>'s block.</summary>
    public void Add(int cpu, int counter, long amount = 1)
    {
        var block = (uint)cpu < (uint)cpus ? cpu + 1 : 1;
        Interlocked.Add(ref cells[(block * MaxCounters) + counter], amount);
    }

    /// <summary>The sum of <paramref name="counter"/> over every CPU.</summary>
    public long Sum(int counter)
    {
        var total = 0L;
        for (var i = MaxCounters + counter; i < cells.Length - MaxCounters; i += MaxCounters)
        {
            total += Volatile.Read(ref cells[i]);
        }

        return total;
    }
}
