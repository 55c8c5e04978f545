using SmmuLab.Architecture.Memory;

namespace SmmuLab.Examples;

/// <summary>
/// The host's interrupt controller: the SMMU's wired lines arrive through <see cref="IInterruptSink"/>,
/// its MSIs as 32-bit writes to the doorbell address, which the <see cref="SystemBus"/> routes here
/// instead of to RAM. It only counts and logs; a real host would inject the interrupt into a guest CPU.
/// </summary>
/// <remarks>
/// <see cref="Raise"/> runs on the thread that made the SMMU raise the line (the guest CPU writing a
/// register, a DMA thread, the device thread of a free-running SMMU), after the SMMU's own work; it
/// must not wait for another thread that uses the SMMU.
/// </remarks>
public sealed class InterruptController(ulong doorbell, TextWriter log) : IInterruptSink
{
    private readonly Lock gate = new();
    private readonly Dictionary<SmmuInterrupt, int> wired = [];
    private readonly List<uint> msis = [];

    /// <summary>The physical address MSIs are written to (a GIC ITS doorbell, for example).</summary>
    public ulong Doorbell { get; } = doorbell;

    /// <summary>How many times <paramref name="line"/> was raised.</summary>
    public int WiredCount(SmmuInterrupt line)
    {
        lock (gate)
        {
            return wired.GetValueOrDefault(line);
        }
    }

    /// <summary>The data of every MSI received, in order.</summary>
    public IReadOnlyList<uint> Msis
    {
        get
        {
            lock (gate)
            {
                return [.. msis];
            }
        }
    }

    /// <inheritdoc/>
    public void Raise(SmmuInterrupt line)
    {
        lock (gate)
        {
            wired[line] = wired.GetValueOrDefault(line) + 1;
        }

        log.WriteLine($"  irq: wired line {line}");
    }

    /// <summary>An MSI write reached the doorbell.</summary>
    public void ReceiveMsi(uint data)
    {
        lock (gate)
        {
            msis.Add(data);
        }

        log.WriteLine($"  irq: MSI data 0x{data:x}");
    }
}
