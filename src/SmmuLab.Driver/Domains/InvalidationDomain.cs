using SmmuLab.Driver.Probe;

namespace SmmuLab.Driver.Domains;

/// <summary>
/// A domain whose translations the SMMUs cache and that therefore has to be invalidated: stage-1
/// and stage-2 paging domains (including nesting parents) and SVA domains. Holds the ASID or VMID
/// tag and the invalidation design's per-domain state.
/// </summary>
public abstract class InvalidationDomain : IommuDomain
{
    protected InvalidationDomain(string name, DomainKind kind, IommuSystem system)
        : base(name, kind)
    {
        Iommu = system;
        DesignState = system.Design.CreateDomainState(this);
    }

    public IommuSystem Iommu { get; }

    /// <summary>The design's bookkeeping for this domain (an invalidation array, or a device list).</summary>
    public object DesignState { get; }

    /// <summary>True for stage-1 tags (ASID), false for stage-2 (VMID).</summary>
    public abstract bool IsStage1 { get; }

    /// <summary>The ASID (stage 1) or VMID (stage 2) that tags this domain's TLB entries.</summary>
    public abstract ushort Tag { get; }

    /// <summary>Supported page sizes; its lowest bit is the leaf page size range invalidations use.</summary>
    public abstract ulong PageSizeBitmap { get; }

    /// <summary>A nesting parent: nested stage-1 entries on its VMID must be cleared with it.</summary>
    public bool IsNestParent => Kind == DomainKind.NestParent;

    /// <summary>The SMMU the domain was first finalised on (the only one the legacy design allows).</summary>
    public SmmuDriver? Owner { get; protected set; }

    /// <summary>Invalidates everything the domain may have cached (iommu <c>flush_iotlb_all</c>).</summary>
    public void FlushAll() => Iommu.Design.InvalidateRange(this, 0, 0, 0, leaf: false);

    /// <summary>Invalidates a range (the iommu core's and io-pgtable's callers).</summary>
    public void InvalidateRange(ulong iova, ulong size, ulong granule, bool leaf) =>
        Iommu.Design.InvalidateRange(this, iova, size, granule, leaf);

    /// <summary>Checks that the domain can be used on <paramref name="smmu"/> and finalises it there if it is new.</summary>
    public abstract void FinaliseFor(SmmuDriver smmu);
}
