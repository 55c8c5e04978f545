using System.Text.RegularExpressions;
using SmmuLab.Driver.Dma;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Platform;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;

namespace SmmuLab.Replay.Engine;

/// <summary>
/// The <see cref="DriverMachine"/> a replay runs on, built from a <see cref="ReplayMachineSpec"/>:
/// its SMMUs and devices at once, the DMA layer of each domain on first use, and the devices the
/// trace names but the spec does not when they first appear.
/// </summary>
internal sealed partial class ReplayMachine : IDisposable
{
    /// <summary>The first StreamID given to a device created for the trace.</summary>
    public const uint FirstCreatedSid = 0x100;

    private readonly DriverMachine machine;
    private readonly ReplayMachineSpec spec;
    private readonly CostMeter meter;
    private readonly Action<string, SmmuDevice>? smmuAdded;
    private readonly Dictionary<string, ReplayDevice> devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ReplayDomain> domains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, uint> nextSid = new(StringComparer.Ordinal);
    private readonly List<string> created = [];
    private readonly List<string> notes = [];

    public ReplayMachine(ReplayMachineSpec spec, IInvalidationDesign design, CostMeter meter, IommuDmaOptions dma,
        Action<string, SmmuDevice>? smmuAdded = null)
    {
        this.spec = spec;
        this.smmuAdded = smmuAdded;
        this.meter = meter;
        DmaOptions = dma;
        machine = new DriverMachine(design);
        try
        {
            foreach (var smmu in spec.Smmus)
            {
                AddSmmu(smmu);
            }

            foreach (var device in spec.Devices)
            {
                devices[device.Name] = Build(device);
            }
        }
        catch
        {
            machine.Dispose();
            throw;
        }

        meter.Charge(ReplayOperation.Setup);
    }

    /// <summary>What every domain's DMA layer is set up with (the CPU count may be set until the first DMA call).</summary>
    public IommuDmaOptions DmaOptions { get; set; }

    public DriverMachine Driver => machine;

    /// <summary>Devices created because the trace named them and the machine did not, with where.</summary>
    public IReadOnlyList<string> Created => created;

    /// <summary>What the set-up changed or could not do (a device's domain replaced, an attach refused).</summary>
    public IReadOnlyList<string> Notes => notes;

    public IEnumerable<ReplayDevice> Devices => devices.Values;

    public IEnumerable<ReplayDomain> Domains => domains.Values;

    /// <summary>The device named <paramref name="name"/> in the trace, created on the default SMMU when the machine has none of that name.</summary>
    public ReplayDevice Device(string name)
    {
        if (devices.TryGetValue(name, out var d))
        {
            return d;
        }

        var smmu = spec.DefaultSmmu ?? ReplayMachineSpec.DefaultSmmuName;
        if (!machine.Smmus.Any(s => s.Name == smmu))
        {
            AddSmmu(new ReplaySmmuSpec(ReplayMachineSpec.DefaultSmmuOptions(smmu)));
        }

        var sid = NextSid(smmu);
        d = Build(new ReplayDeviceSpec(name, smmu, [sid], Ats: false, Domain: null));
        devices[name] = d;
        created.Add($"{name} (SMMU {smmu}, StreamID 0x{sid:x})");
        meter.Charge(ReplayOperation.Setup);
        return d;
    }

    /// <summary>The device the trace's <c>iommu</c> events belong to when the machine has exactly one; else null.</summary>
    public ReplayDevice? OnlyDevice => devices.Count == 1 ? devices.Values.First() : null;

    public void Dispose()
    {
        foreach (var d in domains.Values)
        {
            d.DmaOrNull?.Dispose();
        }

        machine.Dispose();
    }

    /// <summary>
    /// What the DMA layer knows of a device, guessed from its name: a PCI function
    /// (<c>0000:01:00.0</c>) has 64-bit masks and tries below 4 GiB first; any other device
    /// keeps the 32-bit masks a platform device starts with.
    /// </summary>
    public static DmaDeviceOptions DeviceOptions(string name) => PciName().IsMatch(name)
        ? new DmaDeviceOptions { Name = name, IsPci = true, DmaMask = ulong.MaxValue, CoherentDmaMask = ulong.MaxValue }
        : new DmaDeviceOptions { Name = name, IsPci = false };

    [GeneratedRegex("^[0-9a-fA-F]{4,}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]$")]
    private static partial Regex PciName();

    private void AddSmmu(ReplaySmmuSpec smmu)
    {
        var options = smmu.Driver is { } d ? d with { Name = smmu.Name } : null;
        var node = machine.AddSmmu(smmu.Options, options);
        meter.Add(node.Device);
        smmuAdded?.Invoke(node.Name, node.Device);
    }

    private uint NextSid(string smmu)
    {
        var sid = nextSid.GetValueOrDefault(smmu, FirstCreatedSid);
        while (spec.Devices.Any(d => d.Smmu == smmu && d.Sids.Contains(sid)))
        {
            sid++;
        }

        nextSid[smmu] = sid + 1;
        return sid;
    }

    private ReplayDevice Build(ReplayDeviceSpec device)
    {
        var options = DeviceOptions(device.Name);
        DeviceNode node;
        try
        {
            node = machine.AddDevice(device.Name, device.Smmu, device.Sids, device.Ats);
        }
        catch (Exception e) when (IsDriverRefusal(e))
        {
            notes.Add($"device {device.Name}: not set up: {e.Message}");
            return new ReplayDevice(device.Name, null, options);
        }

        var domainSpec = device.Domain is { } name ? spec.Domains.FirstOrDefault(d => d.Name == name) : null;
        if (device.Domain is not null && domainSpec is null)
        {
            notes.Add($"device {device.Name}: domain {device.Domain} is not a paging domain; replayed on a stage-1 domain of its own");
        }

        domainSpec ??= new ReplayDomainSpec($"{device.Name} dma", DomainKind.S1, null, null);
        try
        {
            if (!domains.TryGetValue(domainSpec.Name, out var domain))
            {
                var owner = domainSpec.Smmu is { } s ? machine.Smmu(s).Driver : null;
                domain = new ReplayDomain(domainSpec.Name, machine.Iommu.AllocPaging(domainSpec.Name, domainSpec.Kind, domainSpec.Tag, owner));
                domains.Add(domainSpec.Name, domain);
            }

            node.Master.Attach(domain.Domain);
            return new ReplayDevice(device.Name, domain, options);
        }
        catch (Exception e) when (IsDriverRefusal(e))
        {
            notes.Add($"device {device.Name}: attach to {domainSpec.Name} refused: {e.Message}");
            return new ReplayDevice(device.Name, null, options);
        }
    }

    internal static bool IsDriverRefusal(Exception e) =>
        e is DomainAttachException or IoPageTableException or IdAllocationException or DmaAllocationException
            or ArgumentException or InvalidOperationException or KeyNotFoundException;
}
