using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Masters;

namespace SmmuLab.Driver.Invalidation.Linux;

/// <summary>
/// An attach in progress under the Linux design (Linux <c>arm_smmu_inv_state</c> for the new and the
/// old domain): the merged array to publish for the new domain, and the old domain's array to
/// unref the master's scratch list from.
/// </summary>
internal sealed class LinuxAttachPlan(Master master, uint ssid, InvalidationDomain? newTarget, bool newAts, InvalidationDomain? oldTarget, bool oldAts)
    : AttachPlan(master, ssid, newTarget, newAts, oldTarget, oldAts)
{
    /// <summary>The new domain's array with the master merged in (null: no new domain).</summary>
    public InvalidationArray? Merged { get; init; }

    /// <summary>
    /// The array the old domain's unref applies to (null: no old domain). For a re-attach to the
    /// same domain it is <see cref="Merged"/>, which the ATS state change may have altered.
    /// </summary>
    public InvalidationArray? OldArray { get; init; }

    /// <summary>Set once the commit ran (a plan is committed once).</summary>
    public bool Committed { get; internal set; }
}
