using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Masters;

namespace SmmuLab.Tests.Shared;

/// <summary>
/// A deliberately broken design: the legacy one for attach and detach, but every range
/// invalidation only flushes the SMMU's TLB (the whole ASID or VMID, then CMD_SYNC) and drops the
/// ATC invalidations, so an ATS endpoint keeps translating unmapped pages from its ATC.
/// </summary>
internal sealed class TlbOnlyInvalidation(IInvalidationDesign inner) : IInvalidationDesign
{
    public TlbOnlyInvalidation()
        : this(new LegacyInvalidation())
    {
    }

    public string Name => $"{inner.Name} without ATC invalidation";

    public void OnMasterAdded(Master master) => inner.OnMasterAdded(master);

    public object CreateDomainState(InvalidationDomain domain) => inner.CreateDomainState(domain);

    public AttachPlan Prepare(Master master, uint ssid, InvalidationDomain? newTarget, bool newAts, InvalidationDomain? oldTarget, bool oldAts) =>
        inner.Prepare(master, ssid, newTarget, newAts, oldTarget, oldAts);

    public void InstallNew(AttachPlan plan) => inner.InstallNew(plan);

    public void Commit(AttachPlan plan) => inner.Commit(plan);

    public void Abort(AttachPlan plan) => inner.Abort(plan);

    public void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf)
    {
        var smmu = domain.Owner ?? throw new InvalidOperationException($"domain {domain.Name} is not attached");
        var tlbi = domain.IsStage1 ? Command.TlbiNhAsid(0, domain.Tag) : Command.TlbiS12Vmall(domain.Tag);
        smmu.IssueWithSync([tlbi]);
    }

    public void OnDomainFree(InvalidationDomain domain) => inner.OnDomainFree(domain);
}
