using SmmuLab.Driver.Invalidation;

namespace SmmuLab.TestSupport.Designs;

/// <summary>
/// A deliberately broken attach order: the old domain is unreffed (and, for its last user on an
/// SMMU, flushed) before the STE/CD install, while the SMMU may still cache the old domain's
/// translations for the master; those then escape every later invalidation of the old domain.
/// </summary>
public sealed class UnrefBeforeInstall(IInvalidationDesign inner) : DelegatingInvalidationDesign(inner)
{
    public override string Name => $"{Inner.Name} unreffing before the STE/CD install";

    /// <summary>Publishes, then commits at once. The plan is stepped back so the caller's order checks still pass.</summary>
    public override void InstallNew(AttachPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Inner.InstallNew(plan);
        plan.Advance(AttachPhase.Prepared, AttachPhase.AtsUpdated);
        Inner.Commit(plan);
        plan.Advance(AttachPhase.Purged, AttachPhase.Prepared);
    }

    /// <summary>Already done.</summary>
    public override void Commit(AttachPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.Advance(AttachPhase.AtsUpdated, AttachPhase.Purged);
    }
}
