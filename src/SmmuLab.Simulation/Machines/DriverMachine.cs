using SmmuLab.Driver;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Masters;
using SmmuLab.Driver.Platform;
using SmmuLab.Driver.Probe;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Products;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Simulation.Machines;

/// <summary>
/// A simulated system: RAM, SMMU models with their interrupt and SEV wiring, PCIe endpoints, and
/// the driver probed on each SMMU through MMIO, memory and interrupts only. RAM is
/// [1 GiB, 16 GiB): the driver's DMA allocations come from [1 GiB, 2 GiB); buffers live above.
/// </summary>
public sealed class DriverMachine : IDisposable
{
    public const ulong DmaStart = 0x4000_0000;
    public const ulong DmaEnd = 0x8000_0000;
    public const ulong RamEnd = 0x4_0000_0000;

    private readonly Dictionary<string, SmmuNode> smmus = [];
    private readonly Dictionary<string, DeviceNode> devices = [];

    public DriverMachine(IInvalidationDesign design)
    {
        Memory = new SparsePhysicalMemory([(DmaStart, RamEnd)]);
        Allocator = new SimulatedDmaAllocator(Memory, DmaStart, DmaEnd);
        Iommu = new IommuSystem(design);
    }

    public SparsePhysicalMemory Memory { get; }

    public SimulatedDmaAllocator Allocator { get; }

    public IommuSystem Iommu { get; }

    public IReadOnlyCollection<SmmuNode> Smmus => smmus.Values;

    public IReadOnlyCollection<DeviceNode> Devices => devices.Values;

    /// <summary>Builds an SMMU model and probes the driver on it.</summary>
    public SmmuNode AddSmmu(string name, SmmuFeatures? features = null, ProductIdentity? product = null,
        ConsumptionMode mode = ConsumptionMode.Inline, int tlbEntries = 1024, DriverOptions? driverOptions = null) =>
        AddSmmu(new SmmuDeviceOptions
        {
            Name = name,
            Features = features ?? new SmmuFeatures(),
            Product = product ?? ProductIdentity.Generic,
            Mode = mode,
            TlbCapacity = tlbEntries,
        }, driverOptions);

    /// <summary>
    /// Builds an SMMU model from <paramref name="options"/>, lets <paramref name="beforeProbe"/> see it
    /// (a trace subscribes there), then probes the driver on it and wires its interrupts.
    /// </summary>
    public SmmuNode AddSmmu(SmmuDeviceOptions options, DriverOptions? driverOptions = null, Action<SmmuDevice>? beforeProbe = null)
    {
        var name = options.Name;
        if (smmus.ContainsKey(name))
        {
            throw new ArgumentException($"an SMMU named {name} already exists");
        }

        var router = new InterruptRouter();
        var wfe = new WaitForEvent();
        var device = new SmmuDevice(options, Memory, router, wfe);
        beforeProbe?.Invoke(device);
        var platform = new DriverPlatform(device, Memory, Allocator, wfe);
        SmmuDriver driver;
        try
        {
            driver = SmmuDriver.Probe(platform, (driverOptions ?? new DriverOptions()) with { Name = name });
        }
        catch
        {
            device.Dispose();
            throw;
        }

        router.Target = driver;
        var node = new SmmuNode(name, device, driver);
        smmus.Add(name, node);
        return node;
    }

    /// <summary>Adds a PCIe function behind an SMMU and registers it with the driver.</summary>
    public DeviceNode AddDevice(string name, string smmu, IReadOnlyList<uint> sids, bool ats = false, int pasidBits = 0, int atcEntries = 64)
    {
        if (devices.ContainsKey(name))
        {
            throw new ArgumentException($"a device named {name} already exists");
        }

        var node = Smmu(smmu);
        var endpoint = new Endpoint(name, sids, Memory, new EndpointOptions { AtsCapable = ats, AtcCapacity = atcEntries });
        node.Device.Connect(endpoint);
        var master = Iommu.AddMaster(node.Driver, name, sids, new EndpointPciFunction(endpoint), pasidBits);
        var d = new DeviceNode(name, node, endpoint, master);
        devices.Add(name, d);
        return d;
    }

    public SmmuNode Smmu(string name) => smmus.TryGetValue(name, out var n) ? n : throw new KeyNotFoundException($"no SMMU named {name}");

    public DeviceNode Device(string name) => devices.TryGetValue(name, out var d) ? d : throw new KeyNotFoundException($"no device named {name}");

    public void Dispose()
    {
        foreach (var n in smmus.Values)
        {
            n.Driver.Dispose();
            n.Device.Dispose();
        }
    }
}

/// <summary>An SMMU model and the driver probed on it.</summary>
public sealed record SmmuNode(string Name, SmmuDevice Device, SmmuDriver Driver);

/// <summary>An endpoint and the driver's master for it.</summary>
public sealed record DeviceNode(string Name, SmmuNode Smmu, Endpoint Endpoint, Master Master);
