using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Masters;

namespace SmmuLab.Tests.Shared;

/// <summary>
/// A deliberately broken design: the legacy one, except that leaf invalidations (what an unmap
/// sends) are silently skipped, so the TLB and ATC keep the unmapped pages.
/// </summary>
internal sealed class SkipLeafInvalidation(IInvalidationDesign inner) : IInvalidationDesign
{
    public SkipLeafInvalidation()
        : this(new LegacyInvalidation())
    {
    }

    public int Skipped { get; private set; }

    public string Name => $"{inner.Name} without leaf invalidation";

    public void OnMasterAdded(Master master) => inner.OnMasterAdded(master);

    public object CreateDomainState(InvalidationDomain domain) => inner.CreateDomainState(domain);

    public AttachPlan Prepare(Master master, uint ssid, InvalidationDomain? newTarget, bool newAts, InvalidationDomain? oldTarget, bool oldAts) =>
        inner.Prepare(master, ssid, newTarget, newAts, oldTarget, oldAts);

    public void InstallNew(AttachPlan plan) => inner.InstallNew(plan);

    public void Commit(AttachPlan plan) => inner.Commit(plan);

    public void Abort(AttachPlan plan) => inner.Abort(plan);

    public void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf)
    {
        if (leaf)
        {
            Skipped++;
            return;
        }

        inner.InvalidateRange(domain, iova, size, granule, leaf);
    }

    public void OnDomainFree(InvalidationDomain domain) => inner.OnDomainFree(domain);
}
