using BenchmarkDotNet.Attributes;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Machines;

namespace SmmuLab.Benchmarks;

/// <summary>
/// One InvalidateRange (16 KiB, leaf) through the driver and the model, legacy and Linux 7.1
/// designs side by side: on one SMMU without ATS, and on one SMMU with 16 ATS StreamIDs (one
/// device with 16 StreamIDs). Targets: zero bytes allocated per call for the Linux
/// design, and the Linux design at least as fast as legacy.
/// </summary>
[MemoryDiagnoser]
public class InvalidateRangeBenchmarks
{
    private DriverMachine machine = null!;
    private PagingDomain domain = null!;

    [Params(InvalidationDesigns.Legacy, InvalidationDesigns.Linux)]
    public string Design { get; set; } = InvalidationDesigns.Linux;

    [Params(0, 16)]
    public int AtsStreams { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (machine, domain) = InvalidationSetups.Build(Design, smmus: 1, AtsStreams);
    }

    [GlobalCleanup]
    public void Cleanup() => machine.Dispose();

    [Benchmark]
    public void InvalidateRange() => domain.InvalidateRange(0x10_0000, 0x4000, 4096, leaf: true);
}

/// <summary>
/// The case the invalidation array was built for: one domain on 4 SMMUs with 16 ATS StreamIDs
/// each. Only the Linux design can attach it (the legacy design refuses a second SMMU).
/// </summary>
[MemoryDiagnoser]
public class MultiSmmuInvalidateRangeBenchmarks
{
    private DriverMachine machine = null!;
    private PagingDomain domain = null!;

    [GlobalSetup]
    public void Setup() => (machine, domain) = InvalidationSetups.Build(InvalidationDesigns.Linux, smmus: 4, atsStreamsPerSmmu: 16);

    [GlobalCleanup]
    public void Cleanup() => machine.Dispose();

    [Benchmark]
    public void InvalidateRange4Smmus16Ats() => domain.InvalidateRange(0x10_0000, 0x4000, 4096, leaf: true);
}

/// <summary>Merge and unref on a 256-entry invalidation array (the attach-time cost of the Linux design).</summary>
[MemoryDiagnoser]
public class InvalidationArrayBenchmarks
{
    private readonly InvalidationArrayAllocator allocator = new();
    private InvalidationArray big = null!;
    private InvalidationArray scratch = null!;

    [GlobalSetup]
    public void Setup()
    {
        var entries = new InvalidationEntry[256];
        entries[0] = InvalidationEntry.For(null, InvalidationType.S1Asid, 5, 12, users: 1);
        for (var i = 1; i < 256; i++)
        {
            entries[i] = InvalidationEntry.For(null, InvalidationType.Ats, (uint)(i * 2), 0, users: 1);
        }

        big = InvalidationArray.Of(entries);
        scratch = InvalidationArray.Of(
            InvalidationEntry.For(null, InvalidationType.S1Asid, 5, 12, users: 0),
            InvalidationEntry.For(null, InvalidationType.Ats, 301, 0, users: 0),
            InvalidationEntry.For(null, InvalidationType.Ats, 303, 0, users: 0));
    }

    /// <summary>Merging one master's entries into a 256-entry array (a new array).</summary>
    [Benchmark]
    public object Merge256() => big.Merge(scratch, allocator);

    /// <summary>Merge, then unref the same entries in place (attach then detach of one master).</summary>
    [Benchmark]
    public int MergeThenUnref256()
    {
        var merged = big.Merge(scratch, allocator);
        merged.Unref(scratch);
        return merged.Count;
    }
}

internal static class InvalidationSetups
{
    /// <summary>A domain attached to one device per SMMU; each device has <paramref name="atsStreamsPerSmmu"/> ATS StreamIDs (or one non-ATS StreamID).</summary>
    public static (DriverMachine Machine, PagingDomain Domain) Build(string design, int smmus, int atsStreamsPerSmmu)
    {
        var machine = new DriverMachine(InvalidationDesigns.Create(design));
        var domain = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        for (var s = 0; s < smmus; s++)
        {
            machine.AddSmmu($"smmu{s}");
            var sids = atsStreamsPerSmmu == 0 ? new uint[] { 0x10 } : [.. Enumerable.Range(0x10, atsStreamsPerSmmu).Select(i => (uint)i)];
            var dev = machine.AddDevice($"dev{s}", $"smmu{s}", sids, ats: atsStreamsPerSmmu > 0);
            dev.Master.Attach(domain);
        }

        return (machine, domain);
    }
}
