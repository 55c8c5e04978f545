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
    /// <summary>Places in each thread's <see cref="recentCells"/> (a power of two).</summary>
    private const int RecentPlaces = 8;

    /// <summary>Numbers the instances, so that each takes its own place in <see cref="recentCells"/>.</summary>
    private static int instances;

    /// <summary>
    /// The cells this thread added to last, one place per instance number (modulo the places): a
    /// thread-static read and one comparison on the usual path, also when it alternates between
    /// totals (a TLB-hit page of DMA adds to the lock-free hits, then to the unlocked DMA pages).
    /// </summary>
    [ThreadStatic]
    private static Cell?[]? recentCells;

    private readonly PerThreadCells<Cell> cells;
    private readonly int place;

    public PerThreadTotals()
    {
        cells = new PerThreadCells<Cell>(() => new Cell { Owner = this });
        place = Interlocked.Increment(ref instances) & (RecentPlaces - 1);
    }

    /// <summary>Sum of every thread's first count.</summary>
    public long First => Sum(second: false);

    /// <summary>Sum of every thread's second count.</summary>
    public long Second => Sum(second: true);

    /// <summary>Adds to the calling thread's counts.</summary>
    public void Add(long first, long second)
    {
        var recent = recentCells ??= new Cell?[RecentPlaces];
        var mine = recent[place];
        if (mine is null || mine.Owner != this)
        {
            mine = recent[place] = cells.Mine;
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
