using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Scenarios;

namespace SmmuLab.Cli.Tests;

/// <summary>
/// A machine that accepts everything; DMA succeeds unless <see cref="FaultAll"/> is set. With
/// <see cref="LeakDma"/> each successful DMA's pages are reported as reaching memory at PA == IOVA,
/// whatever was mapped (what a broken SMMU would do), so the oracle sees them.
/// </summary>
internal sealed class StubScenarioMachine(Scenario scenario, bool faultAll = false, bool leakDma = false) : IScenarioMachine
{
    private readonly List<SmmuDevice> devices = [];

    public event Action<DmaAccess>? DmaAccessed;

    public bool LeakDma { get; } = leakDma;

    public Scenario Scenario { get; } = scenario;

    public bool FaultAll { get; } = faultAll;

    public List<string> Calls { get; } = [];

    public bool Disposed { get; private set; }

    public SmmuDevice AddSmmu(SmmuSpec spec)
    {
        Calls.Add($"smmu {spec.Name} mode={spec.Mode ?? "-"}");
        var device = new SmmuDevice(ScenarioFeatures.ToDeviceOptions(spec), new SparsePhysicalMemory([(0x4000_0000UL, 0x8000_0000UL)]));
        devices.Add(device);
        return device;
    }

    public void AddDevice(DeviceSpec spec) => Calls.Add($"device {spec.Name}");

    public void AddDomain(DomainSpec spec) => Calls.Add($"domain {spec.Name}");

    public void Attach(string device, string domain, uint? pasid) => Calls.Add($"attach {device} {domain}");

    public void Detach(string device, uint? pasid) => Calls.Add($"detach {device}");

    public void Map(string domain, ulong iova, ulong pa, ulong size, bool writable) => Calls.Add($"map {domain}");

    public void Unmap(string domain, ulong iova, ulong size) => Calls.Add($"unmap {domain}");

    public void Flush(string domain) => Calls.Add($"flush {domain}");

    public DmaOutcome Dma(string device, ulong iova, ulong size, bool write, uint? pasid)
    {
        Calls.Add($"dma {device}");
        for (var page = iova & ~0xfffUL; LeakDma && !FaultAll && page < iova + size; page += 0x1000)
        {
            DmaAccessed?.Invoke(new DmaAccess(device, 0, pasid, page, page, 0x1000, write, FromAtc: false));
        }

        return FaultAll ? new DmaOutcome(false, 0, "F_TRANSLATION") : new DmaOutcome(true, size, null);
    }

    public void Dispose()
    {
        Disposed = true;
        foreach (var d in devices)
        {
            d.Dispose();
        }
    }
}
