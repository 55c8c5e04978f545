using SmmuLab.Driver.Invalidation.Linux;

namespace SmmuLab.TestSupport.Designs;

/// <summary>
/// A deliberately broken Linux design: when a detach removes the last user of an ASID/VMID on an
/// SMMU, the tag is not flushed from that SMMU's IOTLB. The array then no longer lists the SMMU, so
/// later unmaps of the domain do not reach it, and a master attached there again hits the
/// translations of pages unmapped meanwhile.
/// </summary>
public sealed class NoLastDetachFlush() : DelegatingInvalidationDesign(new LinuxInvalidation { OmitLastDetachFlush = true })
{
    public override string Name => $"{Inner.Name} without the last-detach flush";
}
