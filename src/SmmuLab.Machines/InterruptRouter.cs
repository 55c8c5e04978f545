using SmmuLab.Architecture.Memory;

namespace SmmuLab.Machines;

/// <summary>
/// The interrupt wiring between an SMMU model and its driver: the device is built before the
/// driver probes, so the line is connected once the driver exists. Interrupts raised before that
/// are counted and dropped, as on a system whose handler is not installed yet.
/// </summary>
public sealed class InterruptRouter : IInterruptSink
{
    public IInterruptSink? Target { get; set; }

    public long Dropped { get; private set; }

    public void Raise(SmmuInterrupt line)
    {
        if (Target is { } t)
        {
            t.Raise(line);
        }
        else
        {
            Dropped++;
        }
    }
}
