using BenchmarkDotNet.Attributes;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Machines;

namespace SmmuLab.Benchmarks;

/// <summary>
/// A device reading buffers it has mapped already (TLB hits), 4 KiB per read, through the PCIe
/// endpoint model with an observer attached that sees every page (counting it per thread, so that
/// the observer itself shares no cache line between the threads; the oracle takes its own lock): on one
/// thread, on two at once (each in its own pages), and with an observer that keeps every page under
/// the device lock (the path all DMA took before it could run without the lock). The two-thread
/// figure is the time per page of both together; its ratio to one thread is the parallel speed-up.
/// </summary>
[MemoryDiagnoser]
public class EndpointDmaBenchmarks
{
    private const ulong Iova = 0x4000_0000;
    private const int PagesPerThread = 32;
    private const int Rounds = 100;
    private readonly SemaphoreSlim partnerGo = new(0);
    private readonly SemaphoreSlim partnerDone = new(0);
    private DriverMachine machine = null!;
    private Endpoint endpoint = null!;
    private IDisposable? watch;
    private Thread? partner;
    [ThreadStatic]
    private static long pagesSeen;

    private bool stopPartner;

    [GlobalSetup]
    public void Setup()
    {
        machine = new DriverMachine(InvalidationDesigns.Create(InvalidationDesigns.Linux));
        var smmu = machine.AddSmmu("smmu0");
        var device = machine.AddDevice("dev", "smmu0", [0x10u]);
        var domain = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        device.Master.Attach(domain);
        domain.Map(Iova, 0x1_0000_0000, 2 * PagesPerThread * 4096UL, IommuProt.Read | IommuProt.Write);
        endpoint = device.Endpoint;
        watch = smmu.Device.AddObserver(new DelegateObserver { ConcurrentDma = true, OnDma = (_, _) => pagesSeen++ });
        ReadRounds(0, 1); // the walks fill the TLB
        ReadRounds(1, 1);
        partner = new Thread(() =>
        {
            while (true)
            {
                partnerGo.Wait();
                if (Volatile.Read(ref stopPartner))
                {
                    return;
                }

                ReadRounds(1, Rounds);
                partnerDone.Release();
            }
        })
        { IsBackground = true, Name = "second DMA thread" };
        partner.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Volatile.Write(ref stopPartner, true);
        partnerGo.Release();
        partner?.Join();
        watch?.Dispose();
        machine.Dispose();
    }

    /// <summary>One thread's pages, read again and again without the device lock.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = PagesPerThread * Rounds)]
    public void DmaReadTlbHitOneThread() => ReadRounds(0, Rounds);

    /// <summary>Two threads, each doing what <see cref="DmaReadTlbHitOneThread"/> does, at once.</summary>
    [Benchmark(OperationsPerInvoke = 2 * PagesPerThread * Rounds)]
    public void DmaReadTlbHitTwoThreads()
    {
        partnerGo.Release();
        ReadRounds(0, Rounds);
        partnerDone.Wait();
    }

    /// <summary>One thread with an observer that wants every page under the device lock.</summary>
    [Benchmark(OperationsPerInvoke = PagesPerThread * Rounds)]
    public void DmaReadTlbHitLockedObserver()
    {
        using var locked = machine.Smmu("smmu0").Device.AddObserver(new DelegateObserver { OnDma = (_, _) => pagesSeen++ });
        ReadRounds(0, Rounds);
    }

    private void ReadRounds(int thread, int rounds)
    {
        Span<byte> data = stackalloc byte[4096];
        for (var r = 0; r < rounds; r++)
        {
            for (var i = 0; i < PagesPerThread; i++)
            {
                endpoint.Read(Iova + ((ulong)((thread * PagesPerThread) + i) * 4096), data);
            }
        }
    }
}
