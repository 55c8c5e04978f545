using SmmuLab.Driver.Dma;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.Platform;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd.Dma;

/// <summary>
/// One SMMU with the Linux invalidation design, one PCIe device (StreamID 0x20) attached to a
/// stage-1 domain with ASID 5, the DMA layer on that domain with a simulated clock, and a
/// recorder of the commands the SMMU consumes (started after the attach).
/// </summary>
internal sealed class DmaTestMachine : IDisposable
{
    public const ushort Asid = 5;
    public const uint Sid = 0x20;

    public DmaTestMachine(
        DmaDomainType type = DmaDomainType.Dma,
        bool ats = false,
        int cpus = 2,
        DmaDeviceOptions? device = null,
        IReadOnlyList<(ulong Start, ulong End)>? reserved = null,
        IDmaAllocator? pages = null,
        FlushQueueOptions? queue = null)
    {
        Machine = new DriverMachine(new LinuxInvalidation());
        Smmu = Machine.AddSmmu("smmu0");
        Node = Machine.AddDevice("nic", "smmu0", [Sid], ats);
        Domain = Machine.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: Asid);
        Node.Master.Attach(Domain);
        Dma = new IommuDma(Domain, new IommuDmaOptions
        {
            CpuCount = cpus,
            Clock = Clock,
            Type = type,
            Reserved = reserved ?? [],
            PageAllocator = pages,
            FlushQueue = queue,
        });
        Device = Dma.AddDevice(device);
        Commands = new CommandRecorder(Smmu.Device);
    }

    public DriverMachine Machine { get; }

    public SmmuNode Smmu { get; }

    public DeviceNode Node { get; }

    public PagingDomain Domain { get; }

    public ManualDmaClock Clock { get; } = new();

    public IommuDma Dma { get; }

    public DmaDevice Device { get; }

    public CommandRecorder Commands { get; }

    public void Dispose()
    {
        Commands.Dispose();
        Dma.Dispose();
        Machine.Dispose();
    }
}
