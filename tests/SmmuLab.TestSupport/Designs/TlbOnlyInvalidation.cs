using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;

namespace SmmuLab.TestSupport.Designs;

/// <summary>
/// A deliberately broken design: the legacy one for attach and detach, but every range
/// invalidation only flushes the SMMU's TLB (the whole ASID or VMID, then CMD_SYNC) and drops the
/// ATC invalidations, so an ATS endpoint keeps translating unmapped pages from its ATC.
/// </summary>
public sealed class TlbOnlyInvalidation(IInvalidationDesign inner) : DelegatingInvalidationDesign(inner)
{
    public TlbOnlyInvalidation()
        : this(new LegacyInvalidation())
    {
    }

    public override string Name => $"{Inner.Name} without ATC invalidation";

    public override void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf)
    {
        var smmu = domain.Owner ?? throw new InvalidOperationException($"domain {domain.Name} is not attached");
        var tlbi = domain.IsStage1 ? Command.TlbiNhAsid(0, domain.Tag) : Command.TlbiS12Vmall(domain.Tag);
        smmu.IssueWithSync([tlbi]);
    }
}
