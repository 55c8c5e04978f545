using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Simulation.Scenarios;

/// <summary>
/// What a scenario runs on: a machine of SMMU models with endpoints, driven by the driver. The
/// scenario runner validates the file, then calls these in order; each call either completes or
/// throws <see cref="ScenarioStepException"/> with a message a user can act on.
/// </summary>
public interface IScenarioMachine : IDisposable
{
    /// <summary>Builds an SMMU model and probes the driver on it.</summary>
    SmmuDevice AddSmmu(SmmuSpec spec);

    /// <summary>Adds a PCIe function behind an SMMU and registers it with the driver as a master.</summary>
    void AddDevice(DeviceSpec spec);

    /// <summary>Allocates a domain (not yet attached; S1/S2 domains are finalised on first attach, as Linux does).</summary>
    void AddDomain(DomainSpec spec);

    /// <summary>Attaches a device (its RID, or one PASID) to a domain.</summary>
    void Attach(string device, string domain, uint? pasid);

    /// <summary>Detaches a device (RID: to the blocked domain) or removes one PASID.</summary>
    void Detach(string device, uint? pasid);

    void Map(string domain, ulong iova, ulong pa, ulong size, bool writable);

    void Unmap(string domain, ulong iova, ulong size);

    /// <summary>Invalidates everything the domain may have cached (iommu flush_iotlb_all).</summary>
    void Flush(string domain);

    /// <summary>A DMA by a device; returns whether every byte went through.</summary>
    DmaOutcome Dma(string device, ulong iova, ulong size, bool write, uint? pasid);
}

/// <summary>An [[smmu]] table.</summary>
public sealed record SmmuSpec(string Name, IReadOnlyList<string> Features, string Product, int Line);

/// <summary>A [[device]] table.</summary>
public sealed record DeviceSpec(string Name, string Smmu, IReadOnlyList<uint> Sids, bool Ats, int Line);

/// <summary>A [[domain]] table; Kind is s1 | s2 | nest-parent | sva | identity | blocked.</summary>
public sealed record DomainSpec(string Name, string Kind, ushort? Asid, ushort? Vmid, string? Smmu, int Line);

/// <summary>The outcome of a dma step.</summary>
public sealed record DmaOutcome(bool Ok, ulong Bytes, string? Fault);

/// <summary>A step that could not be carried out, with the reason.</summary>
public sealed class ScenarioStepException(string message) : Exception(message);
