using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;

namespace SmmuLab.TestSupport.Designs;

/// <summary>
/// A deliberately broken design: the legacy one, except that leaf invalidations (what an unmap
/// sends) are silently skipped, so the TLB and ATC keep the unmapped pages.
/// </summary>
public sealed class SkipLeafInvalidation(IInvalidationDesign inner) : DelegatingInvalidationDesign(inner)
{
    public SkipLeafInvalidation()
        : this(new LegacyInvalidation())
    {
    }

    public int Skipped { get; private set; }

    public override string Name => $"{Inner.Name} without leaf invalidation";

    public override void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf)
    {
        if (leaf)
        {
            Skipped++;
            return;
        }

        base.InvalidateRange(domain, iova, size, granule, leaf);
    }
}
