namespace SmmuLab.Hardware.Timing;

/// <summary>
/// Accumulates modeled hardware nanoseconds, stored as picoseconds in a 64-bit integer. Advanced
/// only by its owner under the owner's lock (an SMMU's device lock); read from anywhere.
/// </summary>
public sealed class ModeledClock
{
    private long picoseconds;

    /// <summary>
    /// The time so far. A 64-bit read is atomic in a 64-bit process, so the read is a plain acquire
    /// there (the command consumer reads it per command); a 32-bit process needs the interlocked read.
    /// </summary>
    public double Nanoseconds => (Environment.Is64BitProcess ? Volatile.Read(ref picoseconds) : Interlocked.Read(ref picoseconds)) / 1000.0;

    public void Advance(double nanoseconds) => Volatile.Write(ref picoseconds, picoseconds + (long)(nanoseconds * 1000));

    public void Reset() => Interlocked.Exchange(ref picoseconds, 0);
}
