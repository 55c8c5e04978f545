using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Invalidation.Linux;

/// <summary>
/// The reader-writer fence of an invalidation array that has ATC entries (Linux's per-array
/// rwlock). Range invalidations hold the read side while they generate and complete their
/// commands; <see cref="InvalidationArray.Unref"/> takes the write side only to store the new entry
/// count, so that when it returns no invalidation that could still send an ATC_INV for a removed
/// StreamID is in flight.
/// </summary>
/// <remarks>
/// A mutable struct kept as a field of its array (no allocation, no per-thread bookkeeping as
/// <see cref="ReaderWriterLockSlim"/> would need). One int: bits [29:0] count readers, bit 30 is a
/// writer that holds or waits for the fence. A waiting writer stops new readers (writer
/// preference, so the short write section cannot starve), then waits for the readers inside to
/// leave. Waits go through the <see cref="Waiter"/> given at construction (<see cref="WaitPace.Spin"/>).
/// </remarks>
/// <param name="waiter">Through which the waits go; <see cref="Waiter.Default"/> when null (and for a default instance).</param>
internal struct AtsFence(Waiter? waiter)
{
    private const int WriterBit = 1 << 30;
    private readonly Waiter? waiter = waiter;
    private int state;

    /// <summary>Readers inside now (for tests and diagnostics).</summary>
    public int Readers => Volatile.Read(ref state) & (WriterBit - 1);

    /// <summary>A writer holds or waits for the fence.</summary>
    public bool WriterPresent => (Volatile.Read(ref state) & WriterBit) != 0;

    /// <summary>Enters the read side; waits while a writer holds or waits for the fence.</summary>
    public void EnterRead() => Waiter.SpinUntil(ref state, static (ref int s) => TryEnterRead(ref s));

    public void ExitRead() => Interlocked.Decrement(ref state);

    /// <summary>Enters the write side: announces the writer, then waits until no reader is inside.</summary>
    public void EnterWrite()
    {
        var waiter = Waiter;
        waiter.SpinUntil(ref state, static (ref int s) => TryAnnounceWriter(ref s));
        waiter.SpinUntil(ref state, static (ref int s) => (Volatile.Read(ref s) & (WriterBit - 1)) == 0);
    }

    public void ExitWrite() => Interlocked.Add(ref state, -WriterBit);

    /// <summary>What the fence waits through; its array's ordering points go to it too.</summary>
    internal readonly Waiter Waiter => waiter ?? Waiter.Default;

    /// <summary>One attempt to count a reader in: only while no writer holds or waits for the fence.</summary>
    private static bool TryEnterRead(ref int state)
    {
        var s = Volatile.Read(ref state);
        return (s & WriterBit) == 0 && Interlocked.CompareExchange(ref state, s + 1, s) == s;
    }

    /// <summary>One attempt to announce the writer: only while no other writer holds or waits.</summary>
    private static bool TryAnnounceWriter(ref int state)
    {
        var s = Volatile.Read(ref state);
        return (s & WriterBit) == 0 && Interlocked.CompareExchange(ref state, s | WriterBit, s) == s;
    }
}
