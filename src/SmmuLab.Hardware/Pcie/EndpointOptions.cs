namespace SmmuLab.Hardware.Pcie;

/// <summary>How a PCIe function behaves.</summary>
public sealed record EndpointOptions
{
    /// <summary>The function has an ATS capability (software still has to enable it).</summary>
    public bool AtsCapable { get; init; }

    /// <summary>ATC entries.</summary>
    public int AtcCapacity { get; init; } = 64;

    /// <summary>When false the function never completes ATC invalidation requests (CERROR_ATC_INV_SYNC).</summary>
    public bool RespondsToInvalidation { get; init; } = true;
}
