using SmmuLab.Hardware.Products;
using SmmuLab.Hardware.Timing;

namespace SmmuLab.Hardware.Smmu;

/// <summary>When the SMMU consumes commands.</summary>
public enum ConsumptionMode
{
    /// <summary>The thread that writes CMDQ_PROD (or CR0, GERRORN) runs the consumer before the write returns: deterministic.</summary>
    Inline,

    /// <summary>A device thread consumes asynchronously; a CMD_SYNC waiter really waits.</summary>
    FreeRunning,
}

/// <summary>
/// What the command consumer does with a command that has a reserved (RES0) bit set. IHI0070 4.1.5
/// lets an implementation do either; silicon differs, and drivers exist that leave reserved bits
/// uninitialised and work on parts that ignore them.
/// </summary>
public enum ReservedFieldPolicy
{
    /// <summary>The command is malformed: CERROR_ILL stops the queue on it (the model's default).</summary>
    Error,

    /// <summary>
    /// The reserved bits are ignored (taken as zero) and the command is executed; the SMMU counts
    /// such commands in <see cref="SmmuStatistics.ReservedBitCommands"/> so the bug stays visible.
    /// </summary>
    Ignore,
}

/// <summary>How an SMMU instance is built: identity, features, caches, timing, consumption mode.</summary>
public sealed record SmmuDeviceOptions
{
    public string Name { get; init; } = "smmu0";

    public SmmuFeatures Features { get; init; } = new();

    public ProductIdentity Product { get; init; } = ProductIdentity.Generic;

    public ConsumptionMode Mode { get; init; } = ConsumptionMode.Inline;

    /// <summary>Non-zero reserved command fields: CERROR_ILL or ignored (4.1.5).</summary>
    public ReservedFieldPolicy ReservedFields { get; init; } = ReservedFieldPolicy.Error;

    /// <summary>TLB entries.</summary>
    public int TlbCapacity { get; init; } = 1024;

    /// <summary>TLB associativity (ways per set).</summary>
    public int TlbWays { get; init; } = 4;

    /// <summary>Cached STEs/CDs.</summary>
    public int ConfigCacheCapacity { get; init; } = 256;

    public CostTable Costs { get; init; } = CostTable.Default;
}
