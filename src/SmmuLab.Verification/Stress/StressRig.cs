using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Platform;
using SmmuLab.Machines;

namespace SmmuLab.Verification.Stress;

/// <summary>
/// One machine set up for <see cref="StressCheck"/>, with the stale-translation oracle watching it:
/// the DMA device (attached for the whole run to the shared domain, which the map/unmap/DMA
/// threads map in and unmap from), a churn device that attaches to and detaches from the shared
/// domain (on a second SMMU when the machine has one and the design spans SMMUs), and, when the
/// SMMU has ATS, an ATS device that moves between the shared domain, a spare one and blocked
/// (ATS on, off, on). The extra devices take the first free StreamIDs of their SMMU.
/// </summary>
public sealed class StressRig : IDisposable
{
    /// <summary>The shared domain's name, as the oracle knows it.</summary>
    public const string SharedName = "check-shared";

    /// <summary>The spare domain's name, as the oracle knows it.</summary>
    public const string SpareName = "check-spare";

    private readonly IDisposable? owner;

    /// <summary>Sets the rig up on <paramref name="machine"/> around <paramref name="dma"/>; <paramref name="owner"/> is disposed with it (else the machine).</summary>
    public StressRig(DriverMachine machine, DeviceNode dma, IDisposable? owner = null)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(dma);
        Machine = machine;
        Dma = dma;
        this.owner = owner;
        var features = dma.Smmu.Driver.Features;
        var kind = features.Stage1 ? DomainKind.S1 : DomainKind.S2;
        Shared = machine.Iommu.AllocPaging(SharedName, kind, smmu: dma.Smmu.Driver);
        Spare = machine.Iommu.AllocPaging(SpareName, kind, smmu: dma.Smmu.Driver);
        Buffers = machine.Map.BufferRegion;

        dma.Master.Attach(Shared);
        Churn = AddChurnDevice();
        Ats = features.Ats ? machine.AddDevice("check-ats", dma.Smmu.Name, [FreeSid(dma.Smmu.Name)], ats: true) : null;

        Oracle = new StaleTranslationOracle();
        Oracle.AddDomain(SharedName, OracleDomainKind.Paging);
        Oracle.AddDomain(SpareName, OracleDomainKind.Paging);
        foreach (var d in new[] { Dma, Churn, Ats })
        {
            if (d is not null)
            {
                Oracle.Watch(d);
            }
        }

        Oracle.Attached(Dma.Name, null, SharedName);
    }

    public DriverMachine Machine { get; }

    /// <summary>The device whose DMA the map/unmap/DMA threads do; attached to <see cref="Shared"/> throughout.</summary>
    public DeviceNode Dma { get; }

    /// <summary>The device the attach/detach thread moves between <see cref="Shared"/> and blocked.</summary>
    public DeviceNode Churn { get; }

    /// <summary>The ATS device the ATS thread moves between <see cref="Shared"/>, <see cref="Spare"/> and blocked; null without ATS.</summary>
    public DeviceNode? Ats { get; }

    public PagingDomain Shared { get; }

    public PagingDomain Spare { get; }

    /// <summary>Physical memory the threads map (RAM outside the kernel's part).</summary>
    public (ulong Start, ulong End) Buffers { get; }

    public StaleTranslationOracle Oracle { get; }

    /// <summary>The default machine: one SMMU with the model's default features (stage 1 and 2, ATS, RIL), <c>dev0</c> at StreamID 0x10.</summary>
    public static StressRig Default(IInvalidationDesign design, Waiter waiter)
    {
        var machine = new DriverMachine(design, waiter: waiter);
        try
        {
            machine.AddSmmu("smmu0");
            return new StressRig(machine, machine.AddDevice("dev0", "smmu0", [0x10]));
        }
        catch
        {
            machine.Dispose();
            throw;
        }
    }

    /// <summary>One line: the devices and what each does.</summary>
    public string Describe() =>
        $"{Dma.Name} (map/unmap/DMA) on {Dma.Smmu.Name}, {Churn.Name} (attach/detach) on {Churn.Smmu.Name}, " +
        (Ats is null ? "no ATS device (the SMMU has no ATS)" : $"{Ats.Name} (ATS on/off) on {Ats.Smmu.Name}");

    public void Dispose()
    {
        Oracle.Dispose();
        if (owner is not null)
        {
            owner.Dispose();
        }
        else
        {
            Machine.Dispose();
        }
    }

    /// <summary>On a second SMMU when there is one and the design lets a domain span SMMUs; else beside the DMA device.</summary>
    private DeviceNode AddChurnDevice()
    {
        var other = Machine.Smmus.FirstOrDefault(s => s.Name != Dma.Smmu.Name && s.Driver.Features.Stage1 == Dma.Smmu.Driver.Features.Stage1);
        if (other is not null)
        {
            var remote = Machine.AddDevice("check-churn", other.Name, [FreeSid(other.Name)]);
            try
            {
                remote.Master.Attach(Shared);
                remote.Master.Detach();
                return remote;
            }
            catch (DomainAttachException)
            {
                // The legacy design keeps a domain on one SMMU: churn beside the DMA device instead.
            }
        }

        return Machine.AddDevice("check-churn-local", Dma.Smmu.Name, [FreeSid(Dma.Smmu.Name)]);
    }

    private uint FreeSid(string smmu)
    {
        var driver = Machine.Smmu(smmu).Driver;
        var used = Machine.Iommu.Masters.Where(m => m.Smmu == driver).SelectMany(m => m.StreamIds).ToHashSet();
        var sid = 1u;
        while (used.Contains(sid))
        {
            sid++;
        }

        return sid;
    }
}
