namespace SmmuLab.Driver.Platform;

/// <summary>
/// The PCI configuration-space view of a function that the driver needs: whether it has an ATS
/// capability, and its ATS Control register (<c>pci_enable_ats</c> / <c>pci_disable_ats</c>).
/// </summary>
public interface IPciFunction
{
    bool AtsSupported { get; }

    bool AtsEnabled { get; }

    /// <summary>Sets ATS Control.Enable with the Smallest Translation Unit (log2 bytes).</summary>
    void EnableAts(int stuShift);

    void DisableAts();
}
