namespace SmmuLab.Driver.Invalidation;

/// <summary>
/// How far an attach has got (<see cref="AttachPlan.Phase"/>), in the only order the steps may
/// run: publish -> STE/CD install -> ATS -> unref -> last-detach flush -> purge. Each step checks,
/// in Debug builds, that the one before it has run.
/// </summary>
public enum AttachPhase
{
    /// <summary><see cref="IInvalidationDesign.Prepare"/> returned: nothing visible has changed.</summary>
    Prepared,

    /// <summary>The new domain invalidates for the master (<see cref="IInvalidationDesign.InstallNew"/>).</summary>
    Published,

    /// <summary>The CD and STE point at the new domain.</summary>
    Installed,

    /// <summary>ATS was enabled, disabled, or the ATC flushed, as the new STE requires.</summary>
    AtsUpdated,

    /// <summary>The old domain no longer invalidates for the master (<see cref="IInvalidationDesign.Commit"/>).</summary>
    Unreffed,

    /// <summary>The old ASID/VMID was flushed if the master was its last user on the SMMU.</summary>
    Flushed,

    /// <summary>The old domain's bookkeeping was compacted: the attach is complete.</summary>
    Purged,

    /// <summary>The attach failed after <see cref="Prepared"/> and was undone (<see cref="IInvalidationDesign.Abort"/>).</summary>
    Aborted,
}
