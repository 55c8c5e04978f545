namespace SmmuLab.Driver.Domains;

/// <summary>The kinds of IOMMU domain the driver implements.</summary>
public enum DomainKind
{
    /// <summary>DMA passes through untranslated (STE bypass).</summary>
    Identity,

    /// <summary>DMA is blocked (STE abort).</summary>
    Blocked,

    /// <summary>Stage-1 paging domain, tagged by an ASID.</summary>
    S1,

    /// <summary>Stage-2 paging domain, tagged by a VMID.</summary>
    S2,

    /// <summary>Stage-2 paging domain that nested domains may sit on (iommufd nesting parent).</summary>
    NestParent,

    /// <summary>A guest-owned stage-1 configuration (the guest's STE/CD table) over a nesting parent.</summary>
    Nested,

    /// <summary>Shared virtual addressing: a process address space bound to a PASID.</summary>
    Sva,
}

/// <summary>An IOMMU domain (Linux <c>struct iommu_domain</c>).</summary>
public abstract class IommuDomain(string name, DomainKind kind)
{
    public string Name { get; } = name;

    public DomainKind Kind { get; } = kind;

    public override string ToString() => $"{Name} ({Kind})";
}

/// <summary>The identity domain: every attached device bypasses translation.</summary>
public sealed class IdentityDomain() : IommuDomain("identity", DomainKind.Identity)
{
    public static IdentityDomain Instance { get; } = new();
}

/// <summary>The blocked domain: every attached device's DMA is aborted. Attaching to it never fails.</summary>
public sealed class BlockedDomain() : IommuDomain("blocked", DomainKind.Blocked)
{
    public static BlockedDomain Instance { get; } = new();
}
