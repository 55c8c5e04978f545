using BenchmarkDotNet.Attributes;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;

namespace SmmuLab.Benchmarks.CostCurves;

/// <summary>
/// map+unmap of one page, strict, through driver and model, against the granule the SMMU offers
/// (4K: 4-level tables, 16K: 4 levels, 64K: 3 levels, for a 48-bit input): the page is one
/// granule, and its tables are built once (the steady state of a DMA buffer reused).
/// </summary>
[MemoryDiagnoser]
public class MapUnmapGranuleBenchmarks
{
    private const ulong Iova = 0x40_0000_0000;
    private const ulong Pa = 0x1_0000_0000;
    private DriverMachine machine = null!;
    private PagingDomain domain = null!;
    private ulong page;

    [Params(4, 16, 64)]
    public int GranuleKiB { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        machine = new DriverMachine(InvalidationDesigns.Create(InvalidationDesigns.Linux));
        machine.AddSmmu("smmu0", new SmmuFeatures { Granule4K = GranuleKiB == 4, Granule16K = GranuleKiB == 16, Granule64K = GranuleKiB == 64 });
        var dev = machine.AddDevice("dev", "smmu0", [0x10]);
        domain = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        dev.Master.Attach(domain);
        page = (ulong)GranuleKiB << 10;
    }

    [GlobalCleanup]
    public void Cleanup() => machine.Dispose();

    [Benchmark]
    public ulong MapUnmap()
    {
        domain.Map(Iova, Pa, page, IommuProt.Read | IommuProt.Write);
        return domain.Unmap(Iova, page);
    }
}
