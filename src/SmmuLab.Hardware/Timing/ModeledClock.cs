using SmmuLab.Hardware.Concurrency;

namespace SmmuLab.Hardware.Timing;

/// <summary>
/// Accumulates modeled hardware nanoseconds, stored as picoseconds in 64-bit integers. Advanced by
/// its owner under the owner's lock (an SMMU's device lock); the owner's lock-free paths (TLB hits,
/// ATS Translation Requests answered from the TLB) add their time per thread to the totals in
/// <see cref="Concurrent"/> (their second counts, in picoseconds), which the time includes. Read from anywhere.
/// </summary>
public sealed class ModeledClock
{
    private long picoseconds;

    /// <summary>
    /// The time so far: the locked part (a plain acquire read, atomic in a 64-bit process, since the
    /// command consumer reads it per command; a 32-bit process needs the interlocked read) plus every
    /// thread's lock-free part.
    /// </summary>
    public double Nanoseconds => ((Environment.Is64BitProcess ? Volatile.Read(ref picoseconds) : Interlocked.Read(ref picoseconds)) + ConcurrentPicoseconds) / 1000.0;

    /// <summary>Per-thread picoseconds (second counts) added by the paths that run without the owner's lock.</summary>
    internal PerThreadTotals[] Concurrent { get; set; } = [];

    private long ConcurrentPicoseconds
    {
        get
        {
            var total = 0L;
            foreach (var totals in Concurrent)
            {
                total += totals.Second;
            }

            return total;
        }
    }

    /// <summary>Advances the clock; the caller holds the owner's lock.</summary>
    public void Advance(double nanoseconds) => Volatile.Write(ref picoseconds, picoseconds + Picoseconds(nanoseconds));

    /// <summary>
    /// What <see cref="Advance"/> adds for <paramref name="nanoseconds"/>, rounded as it rounds: the
    /// per-thread totals of the lock-free paths add these, so their time is the locked path's.
    /// </summary>
    public static long Picoseconds(double nanoseconds) => (long)(nanoseconds * 1000);

    public void Reset()
    {
        Interlocked.Exchange(ref picoseconds, 0);
        foreach (var totals in Concurrent)
        {
            totals.ClearSecond();
        }
    }
}
