namespace SmmuLab.Driver.Dma;

/// <summary>The negative error numbers a scatter-gather map returns (Linux errno values).</summary>
public static class DmaMapError
{
    /// <summary>-ENOMEM: no IOVA space, or no memory for page tables.</summary>
    public const int NoMemory = -12;

    /// <summary>-EINVAL: any other failure.</summary>
    public const int Invalid = -22;

    /// <summary>-EREMOTEIO: a peer-to-peer segment that cannot be mapped (not modeled; listed for traces).</summary>
    public const int RemoteIo = -121;
}
