using SmmuLab.Driver.Invalidation;

namespace SmmuLab.Scenarios;

/// <summary>
/// A parsed, validated scenario file: the machine (SMMUs, devices, domains) and the steps to run on
/// it. Every reference is resolved and every value range-checked by <see cref="ScenarioParser"/>.
/// </summary>
public sealed record Scenario(
    string Path,
    string? Description,
    string Invalidation,
    IReadOnlyList<SmmuSpec> Smmus,
    IReadOnlyList<DeviceSpec> Devices,
    IReadOnlyList<DomainSpec> Domains,
    IReadOnlyList<ScenarioStep> Steps)
{
    /// <summary>The invalidation design used when the file does not say: the Linux 7.1 invalidation arrays.</summary>
    public const string DefaultInvalidation = InvalidationDesigns.Linux;

    /// <summary>The [machine] table's memory map (RAM and the simulated kernel's part of it).</summary>
    public Machines.MemoryMap Memory { get; init; } = Machines.MemoryMap.Default;

    /// <summary>The SMMU spec called <paramref name="name"/>.</summary>
    public SmmuSpec Smmu(string name) => Smmus.First(s => s.Name == name);
}
