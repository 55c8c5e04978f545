using BenchmarkDotNet.Attributes;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Machines;
using SmmuLab.Verification;

namespace SmmuLab.Benchmarks.CostCurves;

/// <summary>
/// What the stale-translation oracle costs per judged DMA page: one 4 KiB DMA read through the
/// endpoint model (translation from the TLB, the data, the report), without and with the oracle
/// watching (with it, the SMMU is observed, so the translation takes the locked, observed path,
/// and every page is judged). The difference is the oracle's price per page.
/// </summary>
[MemoryDiagnoser]
public class OracleCostBenchmarks
{
    private const ulong Iova = 0x10_0000;
    private readonly byte[] buffer = new byte[4096];
    private DriverMachine machine = null!;
    private DeviceNode device = null!;
    private StaleTranslationOracle? oracle;

    [Params(false, true)]
    public bool Oracle { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        machine = new DriverMachine(InvalidationDesigns.Create(InvalidationDesigns.Linux));
        machine.AddSmmu("smmu0");
        device = machine.AddDevice("dev", "smmu0", [0x10]);
        var domain = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        device.Master.Attach(domain);
        domain.Map(Iova, 0x1_0000_0000, 4096, IommuProt.Read | IommuProt.Write);
        if (Oracle)
        {
            oracle = new StaleTranslationOracle();
            oracle.Watch(device);
            oracle.AddDomain("dom", OracleDomainKind.Paging);
            oracle.Attached("dev", null, "dom");
            oracle.Mapped("dom", Iova, 0x1_0000_0000, 4096);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        oracle?.Dispose();
        machine.Dispose();
    }

    [Benchmark]
    public bool DmaReadPage() => device.Endpoint.Read(Iova, buffer).Ok;
}
