namespace SmmuLab.Hardware.Timing;

/// <summary>
/// Accumulates modeled hardware nanoseconds. Thread-safe; stored as picoseconds in a 64-bit
/// integer so concurrent additions are exact.
/// </summary>
public sealed class ModeledClock
{
    private long picoseconds;

    public double Nanoseconds => Interlocked.Read(ref picoseconds) / 1000.0;

    public void Advance(double nanoseconds) => Interlocked.Add(ref picoseconds, (long)(nanoseconds * 1000));

    public void Reset() => Interlocked.Exchange(ref picoseconds, 0);
}
