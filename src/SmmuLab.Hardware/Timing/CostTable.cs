namespace SmmuLab.Hardware.Timing;

/// <summary>
/// Modeled hardware time, in nanoseconds, of each action the SMMU and its endpoints perform. The
/// defaults are round figures of the order published for Arm MMU-600/700-class parts and PCIe
/// round trips; reports show modeled time beside wall time, never instead of it.
/// </summary>
public sealed record CostTable
{
    /// <summary>Fetching one 16-byte command from the queue.</summary>
    public double CommandFetchNs { get; init; } = 4;

    /// <summary>Executing a TLB or configuration invalidation (per command).</summary>
    public double InvalidationNs { get; init; } = 10;

    /// <summary>Extra cost per TLB entry an invalidation scans or removes.</summary>
    public double InvalidationPerEntryNs { get; init; } = 0.5;

    /// <summary>Completing a CMD_SYNC (draining outstanding work, signalling).</summary>
    public double SyncNs { get; init; } = 60;

    /// <summary>An MSI write of a CMD_SYNC or an interrupt.</summary>
    public double MsiWriteNs { get; init; } = 40;

    /// <summary>A PCIe ATC invalidation request and its completion.</summary>
    public double AtcInvalidationRoundTripNs { get; init; } = 1000;

    /// <summary>A TLB lookup that hits.</summary>
    public double TlbHitNs { get; init; } = 3;

    /// <summary>One descriptor read of a table walk.</summary>
    public double WalkStepNs { get; init; } = 80;

    /// <summary>Fetching an STE, CD, L1STD or L1CD from memory.</summary>
    public double ConfigFetchNs { get; init; } = 80;

    /// <summary>Writing one event record.</summary>
    public double EventWriteNs { get; init; } = 40;

    /// <summary>An ATS translation request and its completion.</summary>
    public double AtsTranslationRoundTripNs { get; init; } = 800;

    public static CostTable Default { get; } = new();
}
