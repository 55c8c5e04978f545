using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;

namespace SmmuLab.Scenarios.Tests;

/// <summary>
/// A stand-in for the driver-backed machine, for trace tests: one real <see cref="SmmuDevice"/>
/// programmed by hand (<see cref="HandProgrammedMachine"/>). "Probe" is the reset plus one
/// CFGI_ALL + TLBI_NSNH_ALL submitted after <see cref="SmmuBuilt"/>; attach writes an STE; unmap
/// clears PTEs and invalidates by ASID or VMID. One SMMU, RIDs only, s1 and s2 domains only.
/// </summary>
internal sealed class HandProgrammedScenarioMachine : IScenarioMachine
{
    private readonly Dictionary<string, DomainSpec> domains = [];
    private readonly Dictionary<string, HandBuiltPageTable> tables = [];
    private readonly Dictionary<string, Endpoint> endpoints = [];
    private HandProgrammedMachine? machine;

    public event Action<SmmuDevice, SmmuSpec>? SmmuBuilt;

    public SmmuDevice AddSmmu(SmmuSpec spec)
    {
        if (machine is not null)
        {
            throw new ScenarioStepException("this test machine has one SMMU");
        }

        var options = ScenarioFeatures.ToDeviceOptions(spec) with { Features = new SmmuFeatures { StreamIdBits = 8 } };
        machine = new HandProgrammedMachine(options);
        SmmuBuilt?.Invoke(machine.Smmu, spec);
        machine.Software.Submit(Command.CfgiAll(), Command.TlbiNsnhAll());
        return machine.Smmu;
    }

    public void AddDevice(DeviceSpec spec)
    {
        var endpoint = new Endpoint(spec.Name, spec.Sids, Machine.Memory);
        Machine.Smmu.Connect(endpoint);
        endpoints.Add(spec.Name, endpoint);
    }

    public void AddDomain(DomainSpec spec) => domains.Add(spec.Name, spec);

    public void Attach(string device, string domain, uint? pasid)
    {
        var spec = domains[domain];
        var sid = endpoints[device].StreamIds[0];
        var table = spec.Kind switch
        {
            "s1" => Machine.AddStage1Stream(sid, spec.Asid ?? 1),
            "s2" => Machine.AddStage2Stream(sid, spec.Vmid ?? 1),
            _ => throw new ScenarioStepException($"this test machine cannot attach a {spec.Kind} domain"),
        };
        if (tables.TryGetValue(domain, out var existing))
        {
            table = existing;
        }

        tables[domain] = table;
    }

    public void Detach(string device, uint? pasid) => throw new ScenarioStepException("this test machine cannot detach");

    public void Map(string domain, ulong iova, ulong pa, ulong size, bool writable) => Table(domain).Map(iova, pa, size, writable);

    public void Unmap(string domain, ulong iova, ulong size)
    {
        Table(domain).Unmap(iova, size);
        Flush(domain);
    }

    public void Flush(string domain)
    {
        var spec = domains[domain];
        Machine.Software.Submit(spec.Kind == "s1" ? Command.TlbiNhAsid(0, spec.Asid ?? 1) : Command.TlbiS12Vmall(spec.Vmid ?? 1));
    }

    public DmaOutcome Dma(string device, ulong iova, ulong size, bool write, uint? pasid)
    {
        var data = new byte[size];
        var r = write ? endpoints[device].Write(iova, data, pasid) : endpoints[device].Read(iova, data, pasid);
        Machine.Software.DrainEvents();
        return new DmaOutcome(r.Ok, r.BytesTransferred, r.Fault?.ToString());
    }

    public void Dispose() => machine?.Dispose();

    private HandProgrammedMachine Machine => machine ?? throw new ScenarioStepException("no SMMU yet");

    private HandBuiltPageTable Table(string domain) =>
        tables.TryGetValue(domain, out var t) ? t : throw new ScenarioStepException($"domain {domain} is not attached");
}
