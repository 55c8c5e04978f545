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

/// <summary>Page chunks for coherent buffers: naturally aligned, bump-allocated from 8 GiB; refuses chunks above a size.</summary>
internal sealed class ChunkAllocator(ulong refuseAbove = ulong.MaxValue) : IDmaAllocator
{
    private ulong next = 0x2_0000_0000;

    public List<(ulong Address, ulong Bytes)> Live { get; } = [];

    public ulong Allocate(ulong bytes, ulong alignment)
    {
        if (bytes > refuseAbove)
        {
            throw new DmaAllocationException($"no {bytes} contiguous bytes");
        }

        var address = (next + alignment - 1) & ~(alignment - 1);
        next = address + bytes;
        Live.Add((address, bytes));
        return address;
    }

    public void Free(ulong address, ulong bytes)
    {
        if (!Live.Remove((address, bytes)))
        {
            throw new InvalidOperationException($"0x{address:x}+0x{bytes:x} is not allocated");
        }
    }
}
