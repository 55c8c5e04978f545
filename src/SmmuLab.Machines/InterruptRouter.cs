using SmmuLab.Architecture.Memory;

namespace SmmuLab.Machines;

/// <summary>
/// The interrupt wiring between an SMMU model and its driver: the device is built before the
/// driver probes, so the line is connected once the driver exists. Interrupts raised before that
/// are dropped, as on a system whose handler is not installed yet.
/// </summary>
internal sealed class InterruptRouter : IInterruptSink
{
    public IInterruptSink? Target { get; set; }

    public void Raise(SmmuInterrupt line) => Target?.Raise(line);
}
