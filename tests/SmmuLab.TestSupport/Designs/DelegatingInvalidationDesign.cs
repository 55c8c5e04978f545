using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Masters;

namespace SmmuLab.TestSupport.Designs;

/// <summary>
/// A design that forwards every member to a real one. A deliberately broken design derives from
/// it and overrides only the member it breaks, so the rest behaves exactly like the real design.
/// </summary>
public abstract class DelegatingInvalidationDesign(IInvalidationDesign inner) : IInvalidationDesign
{
    /// <summary>The real design every member forwards to.</summary>
    protected IInvalidationDesign Inner { get; } = inner;

    public virtual string Name => Inner.Name;

    public virtual void OnMasterAdded(Master master) => Inner.OnMasterAdded(master);

    public virtual object CreateDomainState(InvalidationDomain domain) => Inner.CreateDomainState(domain);

    public virtual AttachPlan Prepare(Master master, uint ssid, InvalidationDomain? newTarget, bool newAts, InvalidationDomain? oldTarget, bool oldAts) =>
        Inner.Prepare(master, ssid, newTarget, newAts, oldTarget, oldAts);

    public virtual void InstallNew(AttachPlan plan) => Inner.InstallNew(plan);

    public virtual void Commit(AttachPlan plan) => Inner.Commit(plan);

    public virtual void Abort(AttachPlan plan) => Inner.Abort(plan);

    public virtual void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf) =>
        Inner.InvalidateRange(domain, iova, size, granule, leaf);

    public virtual void OnDomainFree(InvalidationDomain domain) => Inner.OnDomainFree(domain);
}
