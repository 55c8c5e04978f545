using System.Diagnostics;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Masters;

namespace SmmuLab.Driver.Invalidation;

/// <summary>
/// How domains keep track of what to invalidate and issue it: the single interface both the
/// legacy (pre-7.1) design and the Linux 7.1 invalidation-array design implement. Attach calls
/// <see cref="Prepare"/> (may fail, changes nothing), then <see cref="InstallNew"/> before the
/// STE/CD is written, then <see cref="Commit"/> after it; every invalidation of a domain goes
/// through <see cref="InvalidateRange"/>.
/// </summary>
public interface IInvalidationDesign
{
    /// <summary><see cref="InvalidationDesigns.Legacy"/> or <see cref="InvalidationDesigns.Linux"/>.</summary>
    string Name { get; }

    /// <summary>Called once per master when it is added (the Linux design sizes its scratch array here).</summary>
    void OnMasterAdded(Master master);

    /// <summary>Per-domain state this design keeps (created when the domain is allocated).</summary>
    object CreateDomainState(InvalidationDomain domain);

    /// <summary>
    /// Prepares moving <paramref name="master"/>'s <paramref name="ssid"/> (0 = the RID) from
    /// <paramref name="oldTarget"/> to <paramref name="newTarget"/> (null for identity/blocked).
    /// Everything that can fail happens here; on failure nothing has changed.
    /// </summary>
    AttachPlan Prepare(Master master, uint ssid, InvalidationDomain? newTarget, bool newAts, InvalidationDomain? oldTarget, bool oldAts);

    /// <summary>
    /// Makes the new domain include the master in its invalidations. Runs before the STE/CD install
    /// (the plan is at <see cref="AttachPhase.Prepared"/>); the caller then advances it to
    /// <see cref="AttachPhase.Published"/>.
    /// </summary>
    void InstallNew(AttachPlan plan);

    /// <summary>
    /// Stops the old domain invalidating for the master. Runs after the STE/CD install and the ATS
    /// update (the plan is at <see cref="AttachPhase.AtsUpdated"/>) and leaves the plan at
    /// <see cref="AttachPhase.Unreffed"/> or later.
    /// </summary>
    void Commit(AttachPlan plan);

    /// <summary>Undoes a prepared attach that will not be installed.</summary>
    void Abort(AttachPlan plan);

    /// <summary>
    /// Invalidates [iova, iova + size) of <paramref name="domain"/> in every TLB and ATC that may
    /// hold it, and waits for completion. Size 0 means everything. <paramref name="leaf"/> says only
    /// leaf entries changed (walk caches may be kept).
    /// </summary>
    void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf);

    /// <summary>The domain is being freed: release what the design holds for it.</summary>
    void OnDomainFree(InvalidationDomain domain);
}

/// <summary>An attach in progress: what moves where. Designs subclass it to carry their state.</summary>
public class AttachPlan(Master master, uint ssid, InvalidationDomain? newTarget, bool newAts, InvalidationDomain? oldTarget, bool oldAts)
{
    public Master Master { get; } = master;

    public uint Ssid { get; } = ssid;

    public InvalidationDomain? NewTarget { get; } = newTarget;

    public bool NewAts { get; } = newAts;

    public InvalidationDomain? OldTarget { get; } = oldTarget;

    public bool OldAts { get; } = oldAts;

    /// <summary>The last step done; <see cref="Advance"/> moves it on.</summary>
    public AttachPhase Phase { get; private set; }

    /// <summary>
    /// Records that step <paramref name="next"/> has run. In Debug builds asserts that the plan was
    /// at <paramref name="expected"/>, the step that must come just before.
    /// </summary>
    public void Advance(AttachPhase expected, AttachPhase next)
    {
        Debug.Assert(Phase == expected, $"attach of {Master.Name} ssid {Ssid}: step {next} after {Phase}; it must follow {expected}");
        Phase = next;
    }
}
