using BenchmarkDotNet.Attributes;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Machines;

namespace SmmuLab.Benchmarks.CostCurves;

/// <summary>
/// How one InvalidateRange (16 KiB, leaf) grows with the ATS StreamIDs of one SMMU (1, 16, 256,
/// 1024: one device with that many StreamIDs), legacy and Linux 7.1 designs, through driver and model.
/// </summary>
[MemoryDiagnoser]
public class InvalidateRangeAtsScalingBenchmarks
{
    private DriverMachine machine = null!;
    private PagingDomain domain = null!;

    [Params(InvalidationDesigns.Legacy, InvalidationDesigns.Linux)]
    public string Design { get; set; } = InvalidationDesigns.Linux;

    [Params(1, 16, 256, 1024)]
    public int AtsStreams { get; set; }

    [GlobalSetup]
    public void Setup() => (machine, domain) = InvalidationSetups.Build(Design, smmus: 1, AtsStreams);

    [GlobalCleanup]
    public void Cleanup() => machine.Dispose();

    [Benchmark]
    public void InvalidateRange() => domain.InvalidateRange(0x10_0000, 0x4000, 4096, leaf: true);
}

/// <summary>
/// How one InvalidateRange (16 KiB, leaf) grows with the SMMUs a domain spans (1, 2, 4, 8, each
/// with one device of 16 ATS StreamIDs). Only the Linux 7.1 design attaches a domain to several
/// SMMUs; the legacy design is measured on one SMMU for reference.
/// </summary>
[MemoryDiagnoser]
public class InvalidateRangeSmmuScalingBenchmarks
{
    private DriverMachine machine = null!;
    private PagingDomain domain = null!;

    [Params(1, 2, 4, 8)]
    public int Smmus { get; set; }

    [GlobalSetup]
    public void Setup() => (machine, domain) = InvalidationSetups.Build(InvalidationDesigns.Linux, Smmus, atsStreamsPerSmmu: 16);

    [GlobalCleanup]
    public void Cleanup() => machine.Dispose();

    [Benchmark]
    public void InvalidateRange() => domain.InvalidateRange(0x10_0000, 0x4000, 4096, leaf: true);
}
