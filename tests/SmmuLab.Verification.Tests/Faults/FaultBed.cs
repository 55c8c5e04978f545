using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Probe;
using SmmuLab.Machines;

namespace SmmuLab.Verification.Tests.Faults;

/// <summary>
/// A machine for the fault-injection tests: the Linux design (its array allocator reachable, so a
/// test can make it fail), one SMMU, and the stale-translation oracle watching every device the
/// test adds. Helpers tell the oracle what the driver did only once the driver call returned.
/// </summary>
internal sealed class FaultBed : IDisposable
{
    public const ulong Buffer = 0x1_0000_0000;
    public const IommuProt Rw = IommuProt.Read | IommuProt.Write;

    public FaultBed(DriverOptions? options = null, bool eventInterrupt = true)
    {
        Design = new LinuxInvalidation();
        Machine = new DriverMachine(Design);
        Smmu = Machine.AddSmmu("smmu0", driverOptions: options);
        if (!eventInterrupt)
        {
            // The event queue is drained only when the test asks: nothing reads it behind its back.
            Smmu.Device.Write32(SmmuRegister.IRQ_CTRL, (uint)IrqCtrl.GERROR_IRQEN.Make(1));
        }
    }

    public LinuxInvalidation Design { get; }

    public DriverMachine Machine { get; }

    public SmmuNode Smmu { get; }

    public StaleTranslationOracle Oracle { get; } = new();

    public DeviceNode Device(string name, uint sid, bool ats = false)
    {
        var d = Machine.AddDevice(name, "smmu0", [sid], ats);
        Oracle.Watch(d);
        return d;
    }

    public PagingDomain Domain(string name, ushort tag)
    {
        Oracle.AddDomain(name, OracleDomainKind.Paging);
        return Machine.Iommu.AllocPaging(name, DomainKind.S1, pinnedTag: tag, smmu: Smmu.Driver);
    }

    public void Attach(DeviceNode device, PagingDomain domain)
    {
        device.Master.Attach(domain);
        Oracle.Attached(device.Name, null, domain.Name);
    }

    public void Detach(DeviceNode device)
    {
        device.Master.Detach();
        Oracle.Detached(device.Name, null);
    }

    public void Map(PagingDomain domain, ulong iova, ulong pa, ulong size)
    {
        domain.Map(iova, pa, size, Rw);
        Oracle.Mapped(domain.Name, iova, pa, size);
    }

    public void Unmap(PagingDomain domain, ulong iova, ulong size)
    {
        domain.Unmap(iova, size);
        Oracle.Unmapped(domain.Name, iova, size);
    }

    /// <summary>One 8-byte read of <paramref name="iova"/> by <paramref name="device"/>: true when it reached memory.</summary>
    public static bool Reads(DeviceNode device, ulong iova) => device.Endpoint.Read(iova, new byte[8]).Ok;

    /// <summary>The oracle's verdict so far, in a form an assertion prints usefully.</summary>
    public string Violations => string.Join("; ", Oracle.Violations);

    public void Dispose()
    {
        Oracle.Dispose();
        Machine.Dispose();
    }
}
