using SmmuLab.Driver;
using SmmuLab.Driver.Cmdqv;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Masters;
using SmmuLab.Driver.Platform;
using SmmuLab.Driver.Probe;
using SmmuLab.Hardware.Cmdqv;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Products;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Machines;

/// <summary>
/// A simulated system: RAM, SMMU models with their interrupt and SEV wiring, PCIe endpoints, and
/// the driver probed on each SMMU through MMIO, memory and interrupts only. RAM and the kernel's
/// part of it are a <see cref="MemoryMap"/>; by default RAM is [1 GiB, 16 GiB), the driver's DMA
/// allocations come from [1 GiB, 2 GiB), and buffers live above.
/// </summary>
public sealed class DriverMachine : IDisposable
{
    public const ulong DmaStart = 0x4000_0000;
    public const ulong DmaEnd = 0x8000_0000;
    public const ulong RamEnd = 0x4_0000_0000;

    private readonly Dictionary<string, SmmuNode> smmus = [];
    private readonly Dictionary<string, DeviceNode> devices = [];
    private readonly Dictionary<string, CmdqvNode> cmdqvs = [];

    public DriverMachine(IInvalidationDesign design, MemoryMap? map = null)
    {
        Map = map ?? MemoryMap.Default;
        if (Map.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(map));
        }

        Memory = new SparsePhysicalMemory([(Map.RamStart, Map.RamEnd)]);
        Allocator = new SimulatedDmaAllocator(Memory, Map.KernelStart, Map.KernelEnd);
        Iommu = new IommuSystem(design);
    }

    /// <summary>Where RAM and the kernel's own memory are.</summary>
    public MemoryMap Map { get; }

    public SparsePhysicalMemory Memory { get; }

    public SimulatedDmaAllocator Allocator { get; }

    public IommuSystem Iommu { get; }

    public IReadOnlyCollection<SmmuNode> Smmus => smmus.Values;

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
        Iommu.AddSmmu(driver);
        var node = new SmmuNode(name, device, driver);
        smmus.Add(name, node);
        return node;
    }

    /// <summary>
    /// Builds a Tegra241 CMDQV beside SMMU <paramref name="smmu"/> (its own MMIO window and
    /// interrupt line), probes the CMDQV driver on it and installs its VCMDQs as the SMMU driver's
    /// secondary queues. With <see cref="CmdqvDriverOptions.Disable"/> the node's driver is null.
    /// </summary>
    public CmdqvNode AttachCmdqv(string smmu, Tegra241CmdqvOptions? hardware = null, CmdqvDriverOptions? driverOptions = null)
    {
        if (cmdqvs.ContainsKey(smmu))
        {
            throw new ArgumentException($"SMMU {smmu} already has a CMDQV");
        }

        var node = Smmu(smmu);
        var device = new Tegra241Cmdqv(hardware ?? new Tegra241CmdqvOptions { Name = $"{smmu} cmdqv" }, node.Device, Memory);
        var driver = CmdqvDriver.Probe(node.Driver, device, driverOptions ?? new CmdqvDriverOptions { Name = $"{smmu} cmdqv" });
        if (driver is not null)
        {
            device.InterruptHandler = driver.HandleInterrupt;
        }

        var cmdqv = new CmdqvNode(smmu, device, driver);
        cmdqvs.Add(smmu, cmdqv);
        return cmdqv;
    }

    /// <summary>True when SMMU <paramref name="smmu"/> has a CMDQV.</summary>
    public bool HasCmdqv(string smmu) => cmdqvs.ContainsKey(smmu);

    /// <summary>The CMDQV attached to SMMU <paramref name="smmu"/>.</summary>
    public CmdqvNode Cmdqv(string smmu) => cmdqvs.TryGetValue(smmu, out var c) ? c : throw new KeyNotFoundException($"SMMU {smmu} has no CMDQV");

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
        // A CMDQV goes first: its teardown still sends CMD_SYNCs on the SMMU's CMDQ.
        foreach (var c in cmdqvs.Values)
        {
            c.Driver?.Dispose();
        }

        foreach (var n in smmus.Values)
        {
            n.Driver.Dispose();
            n.Device.Dispose();
        }
    }
}

/// <summary>An SMMU model and the driver probed on it.</summary>
public sealed record SmmuNode(string Name, SmmuDevice Device, SmmuDriver Driver);

/// <summary>A CMDQV model beside an SMMU, and its driver (null when probing disabled it).</summary>
public sealed record CmdqvNode(string Smmu, Tegra241Cmdqv Device, CmdqvDriver? Driver);

/// <summary>An endpoint and the driver's master for it.</summary>
public sealed record DeviceNode(string Name, SmmuNode Smmu, Endpoint Endpoint, Master Master);
