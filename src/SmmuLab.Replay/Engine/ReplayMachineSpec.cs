using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Probe;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Replay.Engine;

/// <summary>
/// The machine a trace is replayed on: SMMUs, the devices behind them (matched by name to the
/// trace's device strings) and their paging domains. A trace device that is not listed is created
/// on <see cref="DefaultSmmu"/> (or, when that is null, on an SMMU added for the purpose with
/// <see cref="DefaultSmmuOptions"/>) with a stage-1 domain of its own.
/// </summary>
public sealed record ReplayMachineSpec(
    string Name,
    IReadOnlyList<ReplaySmmuSpec> Smmus,
    IReadOnlyList<ReplayDeviceSpec> Devices,
    IReadOnlyList<ReplayDomainSpec> Domains)
{
    /// <summary>The name of the SMMU added for unknown devices when <see cref="DefaultSmmu"/> is null.</summary>
    public const string DefaultSmmuName = "default";

    /// <summary>The SMMU unknown devices are created on; null: one added on first need.</summary>
    public string? DefaultSmmu { get; init; }

    /// <summary>
    /// The embedded default machine: one SMMU <c>smmu0</c> (<see cref="DefaultSmmuOptions"/>) and no
    /// devices, so every device of the trace is created on it.
    /// </summary>
    public static ReplayMachineSpec Default { get; } =
        new("embedded default", [new ReplaySmmuSpec(DefaultSmmuOptions("smmu0"))], [], []) { DefaultSmmu = "smmu0" };

    /// <summary>
    /// The SMMU for unknown devices: stage 1 only, ATS off, range invalidation, MSIs and SEV (the
    /// scenario features <c>s1, ril, msi, sev</c>), 4 KiB granule, 48-bit output addresses.
    /// </summary>
    public static SmmuDeviceOptions DefaultSmmuOptions(string name) => new()
    {
        Name = name,
        Features = new SmmuFeatures
        {
            Stage1 = true,
            Stage2 = false,
            Ats = false,
            RangeInvalidation = true,
            Msi = true,
            Sev = true,
            Granule16K = false,
            Granule64K = false,
        },
    };
}

/// <summary>An SMMU of a replay machine: the model's options (its name included) and the driver's.</summary>
public sealed record ReplaySmmuSpec(SmmuDeviceOptions Options, DriverOptions? Driver = null)
{
    public string Name => Options.Name;
}

/// <summary>
/// A device of a replay machine: <see cref="Name"/> is compared (ordinal) with the trace's device
/// string (<c>0000:01:00.0</c>, <c>ff0a0000.ethernet</c>). <see cref="Domain"/> names its paging
/// domain; null gives it a stage-1 domain of its own.
/// </summary>
public sealed record ReplayDeviceSpec(string Name, string Smmu, IReadOnlyList<uint> Sids, bool Ats, string? Domain);

/// <summary>
/// A paging domain of a replay machine (<see cref="DomainKind.S1"/>, <see cref="DomainKind.S2"/> or
/// <see cref="DomainKind.NestParent"/>), with its ASID or VMID when pinned. Devices naming the
/// same domain share it, and so share one IOVA space, as a Linux IOMMU group does.
/// </summary>
public sealed record ReplayDomainSpec(string Name, DomainKind Kind, ushort? Tag, string? Smmu);
