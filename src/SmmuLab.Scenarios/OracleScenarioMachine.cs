using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Verification;

namespace SmmuLab.Scenarios;

/// <summary>
/// A scenario machine that tells a <see cref="StaleTranslationOracle"/> what the driver did: each
/// SMMU and device as it is built, each domain's kind, and each attach, detach, map and unmap
/// once the inner machine's call returned without error (an unmap returns after its
/// invalidation completed). The inner machine's <see cref="IScenarioMachine.DmaAccessed"/> feeds
/// the oracle. <see cref="ScenarioRunner"/> wraps its machine in one when
/// <see cref="ScenarioRunOptions.Oracle"/> is set.
/// </summary>
/// <remarks>Disposing it stops feeding the oracle; the inner machine belongs to its owner and is not disposed.</remarks>
internal sealed partial class OracleScenarioMachine : IScenarioMachine
{
    private readonly IScenarioMachine inner;
    private readonly HashSet<string> lazyDomains = new(StringComparer.Ordinal);
    private readonly HashSet<string> pagingDomains = new(StringComparer.Ordinal);

    public OracleScenarioMachine(IScenarioMachine inner, StaleTranslationOracle oracle)
    {
        this.inner = inner;
        Oracle = oracle;
        inner.DmaAccessed += oracle.Check;
    }

    public event Action<SmmuDevice, SmmuSpec>? SmmuBuilt
    {
        add => inner.SmmuBuilt += value;
        remove => inner.SmmuBuilt -= value;
    }

    public event Action<DmaAccess>? DmaAccessed
    {
        add => inner.DmaAccessed += value;
        remove => inner.DmaAccessed -= value;
    }

    public StaleTranslationOracle Oracle { get; }

    /// <summary>The oracle's kind for a [[domain]] kind.</summary>
    public static OracleDomainKind KindOf(string domainKind) => domainKind switch
    {
        "identity" => OracleDomainKind.Identity,
        "blocked" => OracleDomainKind.Blocked,
        "s1" or "s2" or "nest-parent" or "sva" => OracleDomainKind.Paging,
        _ => OracleDomainKind.Unchecked,
    };

    public SmmuDevice AddSmmu(SmmuSpec spec)
    {
        var device = inner.AddSmmu(spec);
        Oracle.WatchSmmu(spec.Name, device);
        return device;
    }

    public void AddDevice(DeviceSpec spec)
    {
        inner.AddDevice(spec);
        Oracle.AddDevice(spec.Name, spec.Smmu);
    }

    public void AddDomain(DomainSpec spec)
    {
        inner.AddDomain(spec);
        if (spec.Kind == "nested" && spec.Parent is { } parent)
        {
            AddNestedDomain(spec.Name, parent);
            return;
        }

        Oracle.AddDomain(spec.Name, KindOf(spec.Kind));
        if (KindOf(spec.Kind) == OracleDomainKind.Paging)
        {
            pagingDomains.Add(spec.Name);
            inner.ListenToDomain(spec.Name, Oracle.ListenerFor(spec.Name));
        }

        if (!spec.Strict)
        {
            lazyDomains.Add(spec.Name);
        }
    }

    public void Attach(string device, string domain, uint? pasid)
    {
        inner.Attach(device, domain, pasid);
        Oracle.Attached(device, pasid, domain);
    }

    public void Detach(string device, uint? pasid)
    {
        inner.Detach(device, pasid);
        Oracle.Detached(device, pasid);
    }

    public void Map(string domain, ulong iova, ulong pa, ulong size, bool writable)
    {
        inner.Map(domain, iova, pa, size, writable);
        Oracle.Mapped(domain, iova, pa, size);
    }

    public void Unmap(string domain, ulong iova, ulong size)
    {
        inner.Unmap(domain, iova, size);

        // A lazy domain's unmap is only queued: the machine's flush queue told the oracle
        // (UnmappedDeferred), and the flush that covers it will.
        if (!lazyDomains.Contains(domain))
        {
            Oracle.Unmapped(domain, iova, size);
        }
    }

    /// <summary>A whole-domain flush also closes the deferred window of what the domain unmapped lazily before it.</summary>
    public void Flush(string domain)
    {
        var paging = pagingDomains.Contains(domain);
        var ticket = paging ? Oracle.DeferredFlushStarting() : 0;
        inner.Flush(domain);
        if (paging)
        {
            Oracle.DeferredFlushFinished(domain, ticket);
        }
    }

    public DmaOutcome Dma(string device, ulong iova, ulong size, bool write, uint? pasid) => inner.Dma(device, iova, size, write, pasid);

    public void Wait(TimeSpan time) => inner.Wait(time);

    public Machines.Workloads.WorkloadResult Workload(string device, Machines.Workloads.WorkloadSpec spec, CancellationToken stop, Action<long>? progress) =>
        inner.Workload(device, spec, stop, progress);

    public void ListenToDomain(string domain, Driver.Dma.IDmaMappingListener listener) => inner.ListenToDomain(domain, listener);

    public Hardware.Cmdqv.Tegra241Cmdqv? Cmdqv(string smmu) => inner.Cmdqv(smmu);

    public IReadOnlyList<string> ReportLines() => inner.ReportLines();

    public void Dispose() => inner.DmaAccessed -= Oracle.Check;
}
