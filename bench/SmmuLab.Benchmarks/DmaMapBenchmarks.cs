using BenchmarkDotNet.Attributes;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Machines;

namespace SmmuLab.Benchmarks;

/// <summary>
/// A dma_map_benchmark-like case: map and unmap one 4 KiB page with strict invalidation on one
/// thread, through the driver (io-pgtable, gather, invalidation design, lock-free command queue)
/// and the model (inline consumption), in both designs. Target (issue 10): at most 300 ns per pair without ATS.
/// </summary>
[MemoryDiagnoser]
public class DmaMapBenchmarks
{
    private const ulong Iova = 0x4000_0000;
    private const ulong Pa = 0x1_0000_0000;
    private DriverMachine machine = null!;
    private PagingDomain domain = null!;

    [Params(InvalidationDesigns.Linux, InvalidationDesigns.Legacy)]
    public string Design { get; set; } = InvalidationDesigns.Linux;

    [Params(false, true)]
    public bool Ats { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        machine = new DriverMachine(InvalidationDesigns.Create(Design));
        machine.AddSmmu("smmu0");
        var dev = machine.AddDevice("dev", "smmu0", [0x10], Ats);
        domain = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        dev.Master.Attach(domain);
    }

    [GlobalCleanup]
    public void Cleanup() => machine.Dispose();

    /// <summary>iommu_map of one page, then iommu_unmap with its TLBI (and ATC_INV) and CMD_SYNC.</summary>
    [Benchmark]
    public ulong MapUnmap4K()
    {
        domain.Map(Iova, Pa, 4096, IommuProt.Read | IommuProt.Write | IommuProt.Cache);
        return domain.Unmap(Iova, 4096);
    }
}
