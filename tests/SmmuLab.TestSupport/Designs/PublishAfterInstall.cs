using SmmuLab.Driver.Invalidation;

namespace SmmuLab.TestSupport.Designs;

/// <summary>
/// A deliberately broken attach order: the new domain's invalidation bookkeeping is published only
/// after the STE/CD install (at commit), so an invalidation racing with the attach can miss a master
/// whose SMMU already caches the new domain's translations.
/// </summary>
public sealed class PublishAfterInstall(IInvalidationDesign inner) : DelegatingInvalidationDesign(inner)
{
    public override string Name => $"{Inner.Name} publishing after the STE/CD install";

    /// <summary>Nothing before the STE/CD install.</summary>
    public override void InstallNew(AttachPlan plan)
    {
    }

    /// <summary>Publishes now, then commits. The plan is stepped back so the real design's order checks still pass.</summary>
    public override void Commit(AttachPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.Advance(AttachPhase.AtsUpdated, AttachPhase.Prepared);
        Inner.InstallNew(plan);
        plan.Advance(AttachPhase.Prepared, AttachPhase.AtsUpdated);
        Inner.Commit(plan);
    }
}
