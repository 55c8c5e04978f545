using System.Runtime.InteropServices;

namespace SmmuLab.Hardware.Concurrency;

/// <summary>
/// Two counts kept per thread, for paths that run without the device lock: each thread adds to its
/// own cell with plain stores (one writer per cell, so nothing is lost and no cache line is shared
/// between translating threads), and a read sums every cell that any thread ever used. A read while
/// threads count may lag each cell by their latest additions; it never goes backwards.
/// </summary>
internal sealed class PerThreadTotals
{
    /// <summary>The cell of the totals this thread added to last: one thread-static read on the usual path.</summary>
    [ThreadStatic]
    private static Cell? lastCell;

    private readonly ThreadLocal<Cell> local;
    private readonly Lock registryGate = new();
    private Cell[] cells = [];

    public PerThreadTotals()
    {
        local = new ThreadLocal<Cell>(Register);
    }

    /// <summary>Sum of every thread's first count.</summary>
    public long First => Sum(second: false);

    /// <summary>Sum of every thread's second count.</summary>
    public long Second => Sum(second: true);

    /// <summary>Adds to the calling thread's counts.</summary>
    public void Add(long first, long second)
    {
        var mine = lastCell;
        if (mine is null || mine.Owner != this)
        {
            mine = lastCell = local.Value!;
        }

        Volatile.Write(ref mine.First, mine.First + first);
        Volatile.Write(ref mine.Second, mine.Second + second);
    }

    /// <summary>Zeroes every thread's second count; only while no thread adds (a reset with the paths that add stopped).</summary>
    public void ClearSecond()
    {
        foreach (var cell in Volatile.Read(ref cells))
        {
            Volatile.Write(ref cell.Second, 0);
        }
    }

    private long Sum(bool second)
    {
        var total = 0L;
        foreach (var cell in Volatile.Read(ref cells))
        {
            total += second ? Volatile.Read(ref cell.Second) : Volatile.Read(ref cell.First);
        }

        return total;
    }

    /// <summary>A thread's first addition: its cell joins the registry (copy on write, so readers iterate without a lock). Cells outlive their threads.</summary>
    private Cell Register()
    {
        var cell = new Cell { Owner = this };
        lock (registryGate)
        {
            Volatile.Write(ref cells, [.. cells, cell]);
        }

        return cell;
    }

    /// <summary>Padded so that two threads' cells never share a cache line.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private sealed class Cell
    {
        [FieldOffset(0)]
        public PerThreadTotals? Owner;

        [FieldOffset(48)]
        public long First;

        [FieldOffset(56)]
        public long Second;
    }
}
