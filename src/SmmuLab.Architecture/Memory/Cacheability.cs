namespace SmmuLab.Architecture.Memory;

/// <summary>
/// Cacheability encodings of the 2-bit region-attribute fields: CD IR0/OR0 (TCR IRGN0/ORGN0), STE
/// S1CIR/S1COR and S2IR0/S2OR0, CR1 QUEUE_IC/OC and TABLE_IC/OC (IHI0070 5.2, 5.4, 6.3.10).
/// </summary>
public static class Cacheability
{
    public const uint NonCacheable = 0b00;

    /// <summary>Write-back, read-allocate (and write-allocate where the field encodes it).</summary>
    public const uint WriteBackAllocate = 0b01;

    public const uint WriteThrough = 0b10;

    /// <summary>Write-back without allocation hints.</summary>
    public const uint WriteBackNoAllocate = 0b11;
}
