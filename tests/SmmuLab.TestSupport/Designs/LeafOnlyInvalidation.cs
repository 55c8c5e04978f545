using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;

namespace SmmuLab.TestSupport.Designs;

/// <summary>
/// A deliberately broken design: every range invalidation is sent with LEAF=1, also the one after
/// an unmap freed a page table. A leaf TLBI leaves the walk cache's entries for the table, so the
/// SMMU may keep walking the freed table (whatever the memory holds next) instead of the new one.
/// </summary>
public sealed class LeafOnlyInvalidation(IInvalidationDesign inner) : DelegatingInvalidationDesign(inner)
{
    public override string Name => $"{Inner.Name} with LEAF=1 after a table was freed";

    public override void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf) =>
        Inner.InvalidateRange(domain, iova, size, granule, leaf: true);
}
