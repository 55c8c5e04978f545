using BenchmarkDotNet.Attributes;
using SmmuLab.Driver.Dma;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Machines;

namespace SmmuLab.Benchmarks;

/// <summary>
/// dma_map_benchmark's single mode through the DMA layer: map <see cref="Pages"/> pages with
/// <c>dma_map_single</c>, unmap them, on one CPU, strict (every unmap invalidates and waits) or
/// lazy (unmaps queued, a whole-ASID flush per 255 unmaps or per 10 ms of wall time).
/// </summary>
[MemoryDiagnoser]
public class IommuDmaBenchmarks
{
    private const ulong Buffer = 0x1_0000_0000;
    private DriverMachine machine = null!;
    private IommuDma dma = null!;
    private DmaDevice device = null!;
    private ulong bytes;

    [Params(DmaDomainType.Dma, DmaDomainType.DmaFq)]
    public DmaDomainType Type { get; set; }

    [Params(1, 16)]
    public int Pages { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        machine = new DriverMachine(new LinuxInvalidation());
        machine.AddSmmu("smmu0");
        var node = machine.AddDevice("dev", "smmu0", [0x10]);
        var domain = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        node.Master.Attach(domain);
        dma = new IommuDma(domain, new IommuDmaOptions { CpuCount = 1, Clock = new SystemDmaClock(), Type = Type });
        device = dma.AddDevice();
        bytes = (ulong)Pages * 0x1000;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        dma.Close(flushQueued: true);
        machine.Dispose();
    }

    /// <summary>One map and one unmap.</summary>
    [Benchmark]
    public ulong MapUnmap()
    {
        var addr = dma.MapPhys(device, 0, Buffer, bytes, DmaDirection.Bidirectional);
        dma.UnmapPhys(device, 0, addr, bytes, DmaDirection.Bidirectional);
        return addr;
    }
}
