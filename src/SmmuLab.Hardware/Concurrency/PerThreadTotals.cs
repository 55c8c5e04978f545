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

    private readonly PerThreadCells<Cell> cells;

    public PerThreadTotals()
    {
        cells = new PerThreadCells<Cell>(() => new Cell { Owner = this });
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
            mine = lastCell = cells.Mine;
        }

        Volatile.Write(ref mine.First, mine.First + first);
        Volatile.Write(ref mine.Second, mine.Second + second);
    }

    /// <summary>Zeroes every thread's second count; only while no thread adds (a reset with the paths that add stopped).</summary>
    public void ClearSecond()
    {
        foreach (var cell in cells.All)
        {
            Volatile.Write(ref cell.Second, 0);
        }
    }

    private long Sum(bool second)
    {
        var total = 0L;
        foreach (var cell in cells.All)
        {
            total += second ? Volatile.Read(ref cell.Second) : Volatile.Read(ref cell.First);
        }

        return total;
    }

    /// <summary>Padded so that two threads' cells never share a cache line.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private sealed class Cell
    {
        [FieldOffset(0)]
        public PerThreadTotals? Owner;

        [FieldOffset(56)]
        public long First;

        [FieldOffset(64)]
        public long Second;
    }
}
