using SmmuLab.Architecture.Memory;

namespace SmmuLab.TestSupport.Smmu;

/// <summary>Records the wired interrupts and wake-up events an SMMU raises.</summary>
public sealed class SignalLog : IInterruptSink, IEventSignal
{
    private readonly List<SmmuInterrupt> lines = [];
    private int sev;

    /// <summary>How many SEV wake-ups were sent.</summary>
    public int Sev => Volatile.Read(ref sev);

    /// <summary>How many times <paramref name="line"/> was raised.</summary>
    public int Count(SmmuInterrupt line)
    {
        lock (lines)
        {
            return lines.Count(l => l == line);
        }
    }

    /// <inheritdoc/>
    public void Raise(SmmuInterrupt line)
    {
        lock (lines)
        {
            lines.Add(line);
        }
    }

    /// <inheritdoc/>
    public void SendEvent() => Interlocked.Increment(ref sev);
}
