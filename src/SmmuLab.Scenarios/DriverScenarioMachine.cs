using SmmuLab.Driver.Cmdqv;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Platform;
using SmmuLab.Driver.Probe;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;

namespace SmmuLab.Scenarios;

/// <summary>
/// The machine scenarios run on: SMMU models driven by the driver through a <see cref="DriverMachine"/>,
/// with the invalidation design the scenario names. Each step maps to the driver's API: attach and
/// set-PASID, detach and remove-PASID, map/unmap with strict invalidation, flush-all, and DMA by
/// the endpoint. Driver errors become <see cref="ScenarioStepException"/> with the driver's message.
/// </summary>
public sealed partial class DriverScenarioMachine : IScenarioMachine
{
    /// <summary>PASID bits a master may use (a linear 1024-CD table).</summary>
    public const int PasidBits = 10;

    /// <summary>A dma step moves its bytes through one buffer of at most this size (1 MiB).</summary>
    public const ulong DmaChunk = 1 << 20;

    private readonly DriverMachine machine;
    private readonly Dictionary<string, IommuDomain> domains = [];
    private readonly ConsumptionMode? modeOverride;

    public DriverScenarioMachine(Scenario scenario, ConsumptionMode? mode = null)
        : this(InvalidationDesigns.Create(scenario.Invalidation), mode, scenario.Memory)
    {
    }

    /// <summary>
    /// A machine with a given invalidation design (tests use broken ones), memory map (the default
    /// when null) and waiter for every driver wait and ordering point (<c>smmulab check --explore</c>
    /// perturbs the schedule through it; <see cref="Waiter.Default"/> when null).
    /// </summary>
    public DriverScenarioMachine(IInvalidationDesign design, ConsumptionMode? mode = null, MemoryMap? memory = null, Waiter? waiter = null)
    {
        machine = new DriverMachine(design, memory, waiter);
        modeOverride = mode;
    }

    /// <summary>
    /// Which CPU the calling thread is, for the kernel VCMDQ choice of every CMDQV this machine
    /// builds (<c>CmdqvDriverOptions.CurrentCpu</c>); null numbers threads in the order they first
    /// send a command.
    /// </summary>
    public Func<int>? CurrentCpu { get; init; }

    public event Action<SmmuDevice, SmmuSpec>? SmmuBuilt;

    public event Action<DmaAccess>? DmaAccessed;

    /// <summary>The machine behind the scenario (for reports and tests).</summary>
    public DriverMachine Machine => machine;

    public SmmuDevice AddSmmu(SmmuSpec spec)
    {
        var options = ScenarioFeatures.ToDeviceOptions(spec, modeOverride);
        return Guard(() =>
        {
            var driverOptions = new DriverOptions { RangeFallback = spec.RangeFallback };
            var node = machine.AddSmmu(options, driverOptions, beforeProbe: device =>
            {
                // Every endpoint behind this SMMU is a scenario device: its DMA is the scenario's DMA.
                // DmaAccessed handlers take calls from several DMA threads at once (IScenarioMachine.DmaAccessed).
                device.AddObserver(new DelegateObserver { OnDma = (_, access) => DmaAccessed?.Invoke(access), ConcurrentDma = true });
                SmmuBuilt?.Invoke(device, spec);
            });
            if (spec.Cmdqv)
            {
                var cmdqvOptions = CurrentCpu is null ? null : new CmdqvDriverOptions { Name = $"{spec.Name} cmdqv", CurrentCpu = CurrentCpu };
                machine.AttachCmdqv(spec.Name, driverOptions: cmdqvOptions);
            }

            return node.Device;
        });
    }

    public void AddDevice(DeviceSpec spec)
    {
        var smmu = machine.Smmu(spec.Smmu);
        Guard(() => machine.AddDevice(spec.Name, spec.Smmu, spec.Sids, spec.Ats, Math.Min(PasidBits, smmu.Driver.Features.SsidBits)));
    }

    public void AddDomain(DomainSpec spec)
    {
        var smmu = spec.Smmu is { } s ? machine.Smmu(s).Driver : null;
        IommuDomain domain = spec.Kind switch
        {
            "identity" => IdentityDomain.Instance,
            "blocked" => BlockedDomain.Instance,
            "s1" => Guard(() => machine.Iommu.AllocPaging(spec.Name, DomainKind.S1, spec.Asid, smmu)),
            "s2" => Guard(() => machine.Iommu.AllocPaging(spec.Name, DomainKind.S2, spec.Vmid, smmu)),
            "nest-parent" => Guard(() => machine.Iommu.AllocPaging(spec.Name, DomainKind.NestParent, spec.Vmid, smmu)),
            "sva" => Guard(() => machine.Iommu.AllocSva(spec.Name, new ProcessAddressSpace($"{spec.Name} mm", Platform()), spec.Asid)),
            "nested" => AddNestedDomain(spec),
            _ => throw new ScenarioStepException($"unknown domain kind '{spec.Kind}'"),
        };
        domains.Add(spec.Name, domain);
        if (!spec.Strict)
        {
            lazyDomains.Add(spec.Name);
        }
    }

    public void Attach(string device, string domain, uint? pasid)
    {
        var master = machine.Device(device).Master;
        var d = Domain(domain);
        Guard(() =>
        {
            if (pasid is null && d is NestedDomain nested)
            {
                AttachNested(master, nested);
                ridDomains[device] = domain;
            }
            else if (pasid is { } p)
            {
                master.SetPasid(p, d);
            }
            else
            {
                master.Attach(d);
                ridDomains[device] = domain;
                LeftNested(master);
            }
        });
    }

    public void Detach(string device, uint? pasid)
    {
        var master = machine.Device(device).Master;
        Guard(() =>
        {
            if (pasid is { } p)
            {
                master.RemovePasid(p);
            }
            else
            {
                master.Detach();
                ridDomains.Remove(device);
                LeftNested(master);
            }
        });
    }

    public void Map(string domain, ulong iova, ulong pa, ulong size, bool writable)
    {
        var prot = IommuProt.Read | IommuProt.Cache | (writable ? IommuProt.Write : 0);
        switch (Domain(domain))
        {
            case PagingDomain p:
                RefuseQueued(domain, iova, size);
                Guard(() => p.Map(iova, pa, size, prot));
                break;
            case SvaDomain sva:
                Guard(() => sva.Mm.Map(iova, pa, size, writable));
                break;
            case NestedDomain nested:
                Guard(() => GuestOf(nested).Map(iova, pa, size, prot));
                break;
            default:
                throw new ScenarioStepException($"domain {domain} has no page table to map into");
        }
    }

    public void Unmap(string domain, ulong iova, ulong size)
    {
        switch (Domain(domain))
        {
            case PagingDomain p when lazyDomains.Contains(domain):
                Guard(() => UnmapLazily(domain, p, iova, size));
                break;
            case PagingDomain p:
                Guard(() => p.Unmap(iova, size));
                break;
            case SvaDomain sva:
                Guard(() => sva.Mm.Unmap(iova, size));
                break;
            case NestedDomain nested:
                Guard(() => GuestOf(nested).Unmap(iova, size));
                break;
            default:
                throw new ScenarioStepException($"domain {domain} has no page table to unmap from");
        }
    }

    public void Flush(string domain)
    {
        if (Domain(domain) is NestedDomain nested)
        {
            Guard(GuestOf(nested).FlushAll);
            return;
        }

        if (Domain(domain) is not InvalidationDomain d)
        {
            throw new ScenarioStepException($"domain {domain} caches no translations to flush");
        }

        Guard(d.FlushAll);
    }

    public DmaOutcome Dma(string device, ulong iova, ulong size, bool write, uint? pasid)
    {
        // In chunks through one buffer, so a DMA of gigabytes does not allocate gigabytes.
        var endpoint = machine.Device(device).Endpoint;
        var buffer = new byte[(int)Math.Min(size, DmaChunk)];
        var done = 0UL;
        while (done < size)
        {
            var chunk = buffer.AsSpan(0, (int)Math.Min(size - done, DmaChunk));
            var r = write ? endpoint.Write(iova + done, chunk, pasid) : endpoint.Read(iova + done, chunk, pasid);
            done += r.BytesTransferred;
            if (!r.Ok)
            {
                return new DmaOutcome(false, done, r.Fault?.ToString() ?? "aborted")
                {
                    Reason = DmaFailureText.Reason(r),
                    Detail = DmaFailureText.Describe(r, write),
                };
            }
        }

        return new DmaOutcome(true, done, null);
    }

    public Hardware.Cmdqv.Tegra241Cmdqv? Cmdqv(string smmu) => machine.HasCmdqv(smmu) ? machine.Cmdqv(smmu).Device : null;

    /// <summary>
    /// The errata workarounds the driver applied, per SMMU, and each nested VM's lines. (A CMDQV's
    /// VCMDQs are counted in their SMMU's summary, <see cref="Cmdqv"/>.)
    /// </summary>
    public IReadOnlyList<string> ReportLines()
    {
        var lines = new List<string>();
        foreach (var smmu in machine.Smmus)
        {
            // What the driver changed because of the IIDR it read (Linux's arm_smmu_device_iidr_probe), by erratum number.
            if (smmu.Driver.Workarounds.Count > 0)
            {
                lines.Add($"{smmu.Name} errata workarounds applied by the driver: {string.Join("; ", smmu.Driver.Workarounds)}");
            }
        }

        lines.AddRange(NestedReportLines());
        return lines;
    }

    public void Dispose()
    {
        CloseDmaLayers();
        DisposeVms();
        machine.Dispose();
    }

    private IommuDomain Domain(string name) =>
        domains.TryGetValue(name, out var d) ? d : throw new ScenarioStepException($"no domain named {name}");

    private DriverPlatform Platform()
    {
        var first = machine.Smmus.FirstOrDefault() ?? throw new ScenarioStepException("an SVA domain needs an SMMU defined first");
        return first.Driver.Platform;
    }

    private static T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is DomainAttachException or IoPageTableException or IdAllocationException or DmaAllocationException
            or ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            throw new ScenarioStepException(e.Message);
        }
    }

    private static void Guard(Action action) => Guard<bool>(() =>
    {
        action();
        return true;
    });
}
