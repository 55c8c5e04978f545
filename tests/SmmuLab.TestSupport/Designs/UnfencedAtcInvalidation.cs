using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;

namespace SmmuLab.TestSupport.Designs;

/// <summary>
/// A deliberately broken Linux design (the inner design is a <c>LinuxInvalidation</c>): range
/// invalidations walk the array without entering its ATC fence, so an unref (a detach switching ATS
/// off) can return while an ATC_INV for the StreamIDs it removed is still on its way.
/// </summary>
public sealed class UnfencedAtcInvalidation(IInvalidationDesign inner) : DelegatingInvalidationDesign(inner)
{
    public override string Name => $"{Inner.Name} without the ATC fence";

    public override void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf)
    {
        Interlocked.MemoryBarrier();
        RangeInvalidator.Run(LinuxInvalidation.ArrayOf(domain), iova, size, granule, leaf);
    }
}
