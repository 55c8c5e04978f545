using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Masters;
using SmmuLab.Driver.Platform;
using SmmuLab.Driver.Probe;

namespace SmmuLab.Driver;

/// <summary>
/// The IOMMU subsystem around the SMMU drivers: the invalidation design in use, the ASID and VMID
/// spaces, the masters, and domain allocation. ASIDs are system-wide (as Linux's
/// <c>arm_smmu_asid_xa</c>); VMIDs are system-wide here too, so one stage-2 domain keeps one VMID on
/// every SMMU it is attached to.
/// </summary>
public sealed class IommuSystem(IInvalidationDesign design)
{
    private readonly List<Master> masters = [];
    private readonly List<SmmuDriver> smmus = [];
    private readonly Lock smmuGate = new();

    public IInvalidationDesign Design { get; } = design;

    /// <summary>ASIDs: 16 bits, 0 reserved (Linux allocates from 1).</summary>
    internal IdAllocator Asids { get; } = new("ASID", 16);

    /// <summary>VMIDs: 16 bits, 0 reserved for stage-1-only STEs.</summary>
    internal IdAllocator Vmids { get; } = new("VMID", 16);

    /// <summary>
    /// Serialises attaches against each other (Linux <c>arm_smmu_asid_lock</c>). Every step of an
    /// attach runs with it held, which the steps assert in Debug builds.
    /// </summary>
    public Lock AttachLock { get; } = new();

    public IReadOnlyList<Master> Masters => masters;

    /// <summary>
    /// Registers a probed SMMU; its <see cref="OrdinalOf">ordinal</see> follows the order of
    /// registration. Registering again changes nothing.
    /// </summary>
    public void AddSmmu(SmmuDriver smmu) => OrdinalOf(smmu);

    /// <summary>
    /// The SMMU's number in this system, from 1, fixed once given: in registration order, and an
    /// SMMU never registered is numbered when first asked about. The Linux design's invalidation
    /// arrays sort by it to keep each SMMU's entries together (Linux compares the instance
    /// pointers; any stable total order does).
    /// </summary>
    public int OrdinalOf(SmmuDriver smmu)
    {
        ArgumentNullException.ThrowIfNull(smmu);
        lock (smmuGate)
        {
            var index = smmus.IndexOf(smmu);
            if (index < 0)
            {
                smmus.Add(smmu);
                index = smmus.Count - 1;
            }

            return index + 1;
        }
    }

    /// <summary>Registers a device (Linux <c>arm_smmu_probe_device</c>); it starts attached to the blocked domain.</summary>
    public Master AddMaster(SmmuDriver smmu, string name, IReadOnlyList<uint> streamIds, IPciFunction? pci = null, int pasidBits = 0)
    {
        var master = new Master(this, smmu, name, streamIds, pci, pasidBits);
        Design.OnMasterAdded(master);
        master.InstallInitialSte();
        masters.Add(master);
        return master;
    }

    /// <summary>
    /// Allocates a stage-1, stage-2 or nesting-parent paging domain. Like Linux's
    /// <c>iommu_paging_domain_alloc(dev)</c> it is finalised for <paramref name="smmu"/> at once when one
    /// is given (so it can be mapped before any attach); otherwise on its first attach.
    /// </summary>
    public PagingDomain AllocPaging(string name, DomainKind kind, ushort? pinnedTag = null, SmmuDriver? smmu = null)
    {
        var domain = new PagingDomain(name, kind, this, pinnedTag);
        if (smmu is not null)
        {
            domain.FinaliseFor(smmu);
        }

        return domain;
    }

    /// <summary>Allocates an SVA domain over a process address space.</summary>
    public SvaDomain AllocSva(string name, ProcessAddressSpace mm, ushort? pinnedAsid = null) => new(name, this, mm, pinnedAsid);
}
