using BenchmarkDotNet.Attributes;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;
using SmmuLab.Machines;

namespace SmmuLab.Benchmarks;

/// <summary>
/// Translation speed of the hardware model: a TLB hit through the whole device path (lock,
/// configuration cache, TLB), a TLB hit on the TLB alone, and a full 4-level stage-1 walk.
/// Targets: TLB hit >= 20 M/s on one core, 4-level walk >= 3 M/s.
/// </summary>
[MemoryDiagnoser]
public class TranslationBenchmarks
{
    private const int Pages = 256;
    private static readonly ISmmuObserver NoObserver = new IdleObserver();
    private HandProgrammedMachine machine = null!;
    private Tlb tlb = null!;
    private TranslationWalker walker = null!;
    private WalkParameters tt;
    private TranslationContext context;
    private readonly SemaphoreSlim partnerGo = new(0);
    private readonly SemaphoreSlim partnerDone = new(0);
    private Thread? partner;
    private ulong partnerSum;
    private bool stopPartner;

    [GlobalSetup]
    public void Setup()
    {
        machine = new HandProgrammedMachine();
        var table = machine.AddStage1Stream(0x20, asid: 5);
        table.Map(0x1000_0000, 0x8000_0000, Pages * 4096UL);
        for (var i = 0; i < Pages; i++)
        {
            machine.Smmu.Translate(0x20, null, 0x1000_0000 + ((ulong)i * 4096), AccessKind.Read);
        }

        tlb = new Tlb(new TlbOptions { Capacity = 1024, Ways = 4 });
        walker = new TranslationWalker(machine.Memory);
        tt = new WalkParameters(table.Root, Granule.Size4K, 48, 0, 48);
        context = TranslationContext.Stage1Nh(0, 5);
        for (var i = 0; i < Pages; i++)
        {
            var va = 0x1000_0000 + ((ulong)i * 4096);
            tlb.Insert(context, Granule.Size4K, va, walker.WalkStage1(tt, va, AccessKind.Read));
        }

        StartPartner();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Volatile.Write(ref stopPartner, true);
        partnerGo.Release();
        partner?.Join();
        machine.Dispose();
    }

    private void StartPartner()
    {
        partner = new Thread(() =>
        {
            while (true)
            {
                partnerGo.Wait();
                if (Volatile.Read(ref stopPartner))
                {
                    return;
                }

                partnerSum = TranslateRounds();
                partnerDone.Release();
            }
        })
        { IsBackground = true, Name = "second translator" };
        partner.Start();
    }

    /// <summary>Passes over the pages per thread in the one- and two-thread cases: long enough that starting the threads does not count.</summary>
    private const int Rounds = 200;

    private ulong TranslateRounds()
    {
        ulong sum = 0;
        for (var r = 0; r < Rounds; r++)
        {
            for (var i = 0; i < Pages; i++)
            {
                sum += machine.Smmu.Translate(0x20, null, 0x1000_0000 + ((ulong)i * 4096) + 8, AccessKind.Read).PhysicalAddress;
            }
        }

        return sum;
    }

    /// <summary>One untranslated read through <see cref="SmmuDevice.Translate"/> that hits the TLB.</summary>
    [Benchmark(OperationsPerInvoke = Pages)]
    public ulong DeviceTranslateTlbHit()
    {
        ulong sum = 0;
        for (var i = 0; i < Pages; i++)
        {
            sum += machine.Smmu.Translate(0x20, null, 0x1000_0000 + ((ulong)i * 4096) + 8, AccessKind.Read).PhysicalAddress;
        }

        return sum;
    }

    /// <summary>
    /// TLB hits on one thread, <see cref="Rounds"/> passes over the pages: the baseline of
    /// <see cref="DeviceTranslateTlbHitTwoThreads"/> (the same work per thread).
    /// </summary>
    [Benchmark(OperationsPerInvoke = Pages * Rounds)]
    public ulong DeviceTranslateTlbHitOneThread() => TranslateRounds();

    /// <summary>
    /// Two threads translating TLB hits on one SMMU at once, each doing what
    /// <see cref="DeviceTranslateTlbHitOneThread"/> does: the time per translation of both together.
    /// The second thread lives for the whole benchmark and is started by a semaphore, so that no
    /// thread creation or pool wake-up is timed. The ratio of the two is the parallel speed-up
    /// (target: at least 1.8).
    /// </summary>
    [Benchmark(OperationsPerInvoke = 2 * Pages * Rounds)]
    public ulong DeviceTranslateTlbHitTwoThreads()
    {
        partnerGo.Release();
        var mine = TranslateRounds();
        partnerDone.Wait();
        return mine + partnerSum;
    }

    /// <summary>
    /// <see cref="DeviceTranslateTlbHit"/> with an observer attached that does nothing: the price of
    /// building and passing a <see cref="TranslationObservation"/> (compare with the unobserved one,
    /// whose only observation cost is a null test).
    /// </summary>
    [Benchmark(OperationsPerInvoke = Pages)]
    public ulong DeviceTranslateTlbHitObserved()
    {
        using var subscription = machine.Smmu.AddObserver(NoObserver);
        return DeviceTranslateTlbHit();
    }

    /// <summary>A TLB lookup that hits, on the TLB alone.</summary>
    [Benchmark(OperationsPerInvoke = Pages)]
    public ulong TlbLookupHit()
    {
        ulong sum = 0;
        for (var i = 0; i < Pages; i++)
        {
            tlb.TryLookup(context, 0x1000_0000 + ((ulong)i * 4096) + 8, out var r);
            sum += r.OutputAddress;
        }

        return sum;
    }

    /// <summary>A complete 4-level stage-1 walk (48-bit VA, 4 KiB granule), no walk cache.</summary>
    [Benchmark(OperationsPerInvoke = Pages)]
    public ulong FourLevelWalk()
    {
        ulong sum = 0;
        for (var i = 0; i < Pages; i++)
        {
            sum += walker.WalkStage1(tt, 0x1000_0000 + ((ulong)i * 4096), AccessKind.Read).OutputAddress;
        }

        return sum;
    }

    /// <summary>Every report ignored (the interface's defaults).</summary>
    private sealed class IdleObserver : ISmmuObserver;
}
