using SmmuLab.Driver.Platform;
using SmmuLab.Hardware.Pcie;

namespace SmmuLab.Machines;

/// <summary>The driver's view of an endpoint's PCI ATS capability.</summary>
internal sealed class EndpointPciFunction(Endpoint endpoint) : IPciFunction
{
    public bool AtsSupported => endpoint.Options.AtsCapable;

    public bool AtsEnabled => endpoint.AtsEnabled;

    public void EnableAts(int stuShift) => endpoint.EnableAts(stuShift);

    public void DisableAts() => endpoint.DisableAts();
}
