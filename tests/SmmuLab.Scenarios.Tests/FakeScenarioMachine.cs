using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Scenarios.Tests;

/// <summary>
/// Records every call as one line, with the runner's step index at the time of the call. DMA
/// outcomes come from <see cref="DmaResults"/> (ok by default); a call whose line starts with one of
/// <see cref="Refuse"/> throws <see cref="ScenarioStepException"/>.
/// </summary>
internal sealed class FakeScenarioMachine : IScenarioMachine
{
    private readonly List<SmmuDevice> devices = [];

    public List<string> Calls { get; } = [];

    public List<int> StepsAtCall { get; } = [];

    public Queue<DmaOutcome> DmaResults { get; } = new();

    public List<string> Refuse { get; } = [];

    public Func<int>? StepProbe { get; set; }

    public List<SmmuSpec> Smmus { get; } = [];

    public SmmuDevice AddSmmu(SmmuSpec spec)
    {
        Record($"smmu {spec.Name} {string.Join(",", spec.Features)} {spec.Product} mode={spec.Mode ?? "-"}");
        Smmus.Add(spec);
        var device = new SmmuDevice(ScenarioFeatures.ToDeviceOptions(spec), new SparsePhysicalMemory([(0x4000_0000UL, 0x8000_0000UL)]));
        devices.Add(device);
        return device;
    }

    public void AddDevice(DeviceSpec spec) =>
        Record($"device {spec.Name} {spec.Smmu} {string.Join(",", spec.Sids.Select(s => $"0x{s:x}"))} ats={spec.Ats}");

    public void AddDomain(DomainSpec spec) => Record($"domain {spec.Name} {spec.Kind} asid={spec.Asid} vmid={spec.Vmid}");

    public void Attach(string device, string domain, uint? pasid) => Record($"attach {device} {domain} pasid={pasid}");

    public void Detach(string device, uint? pasid) => Record($"detach {device} pasid={pasid}");

    public void Map(string domain, ulong iova, ulong pa, ulong size, bool writable) =>
        Record($"map {domain} 0x{iova:x} 0x{pa:x} 0x{size:x} w={writable}");

    public void Unmap(string domain, ulong iova, ulong size) => Record($"unmap {domain} 0x{iova:x} 0x{size:x}");

    public void Flush(string domain) => Record($"flush {domain}");

    public DmaOutcome Dma(string device, ulong iova, ulong size, bool write, uint? pasid)
    {
        Record($"dma {device} 0x{iova:x} 0x{size:x} {(write ? "write" : "read")} pasid={pasid}");
        return DmaResults.Count > 0 ? DmaResults.Dequeue() : new DmaOutcome(true, size, null);
    }

    public void Dispose()
    {
        foreach (var d in devices)
        {
            d.Dispose();
        }
    }

    private void Record(string call)
    {
        Calls.Add(call);
        StepsAtCall.Add(StepProbe?.Invoke() ?? int.MinValue);
        if (Refuse.Any(r => call.StartsWith(r, StringComparison.Ordinal)))
        {
            throw new ScenarioStepException($"refused: {call}");
        }
    }
}
