namespace SmmuLab.Hardware.Concurrency;

/// <summary>
/// One cell per thread that ever used this set, for state that threads keep without sharing a cache
/// line (counts, in-flight marks): a reader iterates every cell without a lock. A thread's first use registers its
/// cell (copy on write); cells outlive their threads.
/// </summary>
/// <typeparam name="TCell">A class padded to a cache line of its own.</typeparam>
internal sealed class PerThreadCells<TCell>
    where TCell : class
{
    private readonly ThreadLocal<TCell> local;
    private readonly Lock registryGate = new();
    private TCell[] cells = [];

    public PerThreadCells(Func<TCell> create)
    {
        local = new ThreadLocal<TCell>(() => Register(create()));
    }

    /// <summary>
    /// The calling thread's cell (registered on its first use). A thread-local lookup: callers keep
    /// the cell they used last in a thread-static field of their own, which (unlike one here, in
    /// code shared by every reference type) costs one read.
    /// </summary>
    public TCell Mine => local.Value!;

    /// <summary>Every cell registered so far (a snapshot: a thread registering later is not in it).</summary>
    public TCell[] All => Volatile.Read(ref cells);

    private TCell Register(TCell cell)
    {
        lock (registryGate)
        {
            Volatile.Write(ref cells, [.. cells, cell]);
        }

        return cell;
    }
}
