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
/// leave. Waits spin, then yield, then sleep (<see cref="SpinWait"/>).
/// </remarks>
public struct AtsFence
{
    private const int WriterBit = 1 << 30;
    private int state;

    /// <summary>Readers inside now (for tests and diagnostics).</summary>
    public int Readers => Volatile.Read(ref state) & (WriterBit - 1);

    /// <summary>A writer holds or waits for the fence.</summary>
    public bool WriterPresent => (Volatile.Read(ref state) & WriterBit) != 0;

    /// <summary>Enters the read side; waits while a writer holds or waits for the fence.</summary>
    public void EnterRead()
    {
        var spin = default(SpinWait);
        while (true)
        {
            var s = Volatile.Read(ref state);
            if ((s & WriterBit) == 0 && Interlocked.CompareExchange(ref state, s + 1, s) == s)
            {
                return;
            }

            spin.SpinOnce();
        }
    }

    public void ExitRead() => Interlocked.Decrement(ref state);

    /// <summary>Enters the write side: announces the writer, then waits until no reader is inside.</summary>
    public void EnterWrite()
    {
        var spin = default(SpinWait);
        while (true)
        {
            var s = Volatile.Read(ref state);
            if ((s & WriterBit) == 0 && Interlocked.CompareExchange(ref state, s | WriterBit, s) == s)
            {
                break;
            }

            spin.SpinOnce();
        }

        spin.Reset();
        while ((Volatile.Read(ref state) & (WriterBit - 1)) != 0)
        {
            spin.SpinOnce();
        }
    }

    public void ExitWrite() => Interlocked.Add(ref state, -WriterBit);
}
