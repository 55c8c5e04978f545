using SmmuLab.Driver.Probe;

namespace SmmuLab.Driver.Domains;

/// <summary>
/// An SVA domain: a process address space shared with a device through a PASID. It has its own
/// ASID (allocated with the domain) and is invalidated by the address space's notifier; freeing it
/// invalidates its ASID everywhere it was used.
/// </summary>
public sealed class SvaDomain : InvalidationDomain
{
    private readonly ushort asid;

    internal SvaDomain(string name, IommuSystem system, ProcessAddressSpace mm, ushort? pinnedAsid)
        : base(name, DomainKind.Sva, system)
    {
        Mm = mm;
        asid = system.Asids.Allocate(pinnedAsid);
        mm.Bind(this);
    }

    public ProcessAddressSpace Mm { get; }

    public override bool IsStage1 => true;

    public override ushort Tag => asid;

    public override ulong PageSizeBitmap => Mm.Table.PageSizeBitmap;

    public override void FinaliseFor(SmmuDriver smmu)
    {
        if (!smmu.Features.Stage1)
        {
            throw new DomainAttachException($"{smmu.Name} has no stage 1 for SVA");
        }

        if (smmu.Features.AsidBits < 16 && asid > 0xFF)
        {
            throw new DomainAttachException($"ASID {asid} does not fit the 8-bit ASIDs of {smmu.Name}");
        }

        Owner ??= smmu;
    }

    /// <summary>Unbinds from the address space, invalidates the ASID, and frees it.</summary>
    public void Free()
    {
        Mm.Unbind(this);
        FlushAll();
        Iommu.Design.OnDomainFree(this);
        Iommu.Asids.Free(asid);
    }
}
