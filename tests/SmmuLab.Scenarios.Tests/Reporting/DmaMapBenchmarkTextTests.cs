using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Dma;
using SmmuLab.Machines.Bench;
using SmmuLab.Reporting;

namespace SmmuLab.Scenarios.Tests.Reporting;

/// <summary>The text of a benchmark result: Linux's tool's three lines, then SmmuLab's.</summary>
public class DmaMapBenchmarkTextTests
{
    private static DmaStatisticsSnapshot Dma(DmaDomainType type, long full = 0, long timeout = 0, long teardown = 0) =>
        new(type, 1000, 1000, 0, 0, 1000, 0, 0, 1000, 990, 10, 0, 0, 0, full, timeout, teardown, 0, 0, 0, 0, 0, 0);

    private static LatencyAccumulator Samples(params ulong[] values)
    {
        var a = default(LatencyAccumulator);
        foreach (var v in values)
        {
            a.Add(v);
        }

        return a;
    }

    private static DmaMapBenchmarkResult Result(DmaMapBenchmarkOptions options, DmaStatisticsSnapshot dma,
        IReadOnlyList<(Opcode, long)> commands, IReadOnlyList<long>? vcmdqs = null) => new()
        {
            Options = options,
            Design = "linux",
            Device = "dev0",
            Smmu = "smmu0",
            Elapsed = TimeSpan.FromSeconds(2),
            ThreadLoops = [600, 400],
            Map = Samples(12, 14, 16, 18),      // mean 15, variance 230 - 225 = 5, deviation 2
            Unmap = Samples(30, 50),            // mean 40, variance 1700 - 1600 = 100, deviation 10
            Commands = commands,
            CmdqCommands = vcmdqs is null ? commands.Sum(c => c.Item2) : 0,
            VcmdqCommands = vcmdqs,
            ModeledNanoseconds = 123_400,
            Dma = dma,
        };

    [Fact]
    public void Strict_result_prints_the_tools_lines_then_ours()
    {
        var r = Result(new DmaMapBenchmarkOptions { Threads = 2, Duration = TimeSpan.FromSeconds(2), Granule = 4, Direction = DmaDirection.ToDevice },
            Dma(DmaDomainType.Dma), [(Opcode.CMD_TLBI_NH_VA, 1000), (Opcode.CMD_SYNC, 1000)]);
        Assert.Equal("""
            dma mapping benchmark: threads:2 seconds:2 node:-1 dir:TO_DEVICE granule: 4
            average map latency(us):1.5 standard deviation:0.2
            average unmap latency(us):4.0 standard deviation:1.0
            design:linux mode:strict device:dev0 smmu:smmu0 dma_trans_ns:0 wall time(s):2.000 loops:1000
            throughput(map+unmap/s):500 per thread:250 min:200 max:300
            commands per map+unmap:2.0000 CMD_SYNC per map+unmap:1.0000 (CMD_TLBI_NH_VA 1.0000, CMD_SYNC 1.0000)
            modeled SMMU time per map+unmap(ns):123.4
            iova allocations:1000 range cache hits:99.00%

            """.Replace("\r\n", "\n", StringComparison.Ordinal), r.Format());
    }

    [Fact]
    public void Deferred_result_adds_flushes_by_cause_and_a_CMDQV_the_queues()
    {
        var r = Result(new DmaMapBenchmarkOptions { Threads = 2, Type = DmaDomainType.DmaFq, DmaTransNs = 500, Direction = DmaDirection.FromDevice },
            Dma(DmaDomainType.DmaFq, full: 3, timeout: 2, teardown: 1), [(Opcode.CMD_TLBI_NH_ASID, 6), (Opcode.CMD_SYNC, 6)], [8, 0, 4, 0]);
        var lines = r.Format().Split('\n');
        Assert.Equal("dma mapping benchmark: threads:2 seconds:20 node:-1 dir:FROM_DEVICE granule: 1", lines[0]);
        Assert.Equal("design:linux mode:deferred device:dev0 smmu:smmu0 dma_trans_ns:500 wall time(s):2.000 loops:1000", lines[3]);
        Assert.Equal("commands per map+unmap:0.0120 CMD_SYNC per map+unmap:0.0060 (CMD_TLBI_NH_ASID 0.0060, CMD_SYNC 0.0060)", lines[5]);
        Assert.Equal("commands per queue: vcmdq0 8, vcmdq2 4, cmdq 0", lines[7]);
        Assert.Equal("flush queue flushes:6 full:3 timeout:2 teardown:1", lines[8]);
    }

    [Fact]
    public void A_run_without_loops_prints_zeros()
    {
        var r = Result(new DmaMapBenchmarkOptions(), Dma(DmaDomainType.Dma), []) with { ThreadLoops = [0], Map = default, Unmap = default };
        var text = r.Format();
        Assert.Contains("average map latency(us):0.0 standard deviation:0.0\n", text, StringComparison.Ordinal);
        Assert.Contains("commands per map+unmap:0.0000 CMD_SYNC per map+unmap:0.0000\n", text, StringComparison.Ordinal);
    }
}
