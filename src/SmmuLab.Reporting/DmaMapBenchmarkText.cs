using System.Text;
using SmmuLab.Driver.Dma;
using SmmuLab.Encoding;
using SmmuLab.Machines.Bench;

namespace SmmuLab.Reporting;

/// <summary>
/// A <see cref="DmaMapBenchmarkResult"/> as text: first the three lines of Linux's
/// dma_map_benchmark tool (its format strings, node -1), then SmmuLab's own lines.
/// </summary>
public static class DmaMapBenchmarkText
{
    /// <summary>The name Linux's tool prints for a direction.</summary>
    public static string DirectionName(DmaDirection direction) => direction switch
    {
        DmaDirection.Bidirectional => "BIDIRECTIONAL",
        DmaDirection.ToDevice => "TO_DEVICE",
        DmaDirection.FromDevice => "FROM_DEVICE",
        _ => "NONE",
    };

    /// <summary>The mode's name on the command line: <c>strict</c> or <c>deferred</c>.</summary>
    public static string ModeName(DmaDomainType type) => type == DmaDomainType.DmaFq ? "deferred" : "strict";

    public static string Format(this DmaMapBenchmarkResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var o = result.Options;
        var sb = new StringBuilder();
        sb.Append($"dma mapping benchmark: threads:{o.Threads} seconds:{(int)o.Duration.TotalSeconds} node:-1 dir:{DirectionName(o.Direction)} granule: {o.Granule}\n");
        sb.Append($"average map latency(us):{result.Map.Mean / 10.0:F1} standard deviation:{result.Map.StandardDeviation / 10.0:F1}\n");
        sb.Append($"average unmap latency(us):{result.Unmap.Mean / 10.0:F1} standard deviation:{result.Unmap.StandardDeviation / 10.0:F1}\n");

        var loops = result.ThreadLoops;
        sb.Append($"design:{result.Design} mode:{ModeName(result.Dma.Type)} device:{result.Device} smmu:{result.Smmu} "
            + $"dma_trans_ns:{o.DmaTransNs} wall time(s):{result.Elapsed.TotalSeconds:F3} loops:{result.Loops}\n");
        var seconds = result.Elapsed.TotalSeconds;
        sb.Append($"throughput(map+unmap/s):{result.LoopsPerSecond:F0} per thread:{result.LoopsPerSecond / o.Threads:F0} "
            + $"min:{PerSecond(loops.Min(), seconds):F0} max:{PerSecond(loops.Max(), seconds):F0}\n");
        var byOpcode = string.Join(", ", result.Commands.Select(c => $"{OpcodeNames.SpecNameOrNumber(c.Opcode)} {result.PerLoop(c.Count):F4}"));
        sb.Append($"commands per map+unmap:{result.CommandsPerLoop:F4} CMD_SYNC per map+unmap:{result.SyncsPerLoop:F4}"
            + (byOpcode.Length == 0 ? "" : $" ({byOpcode})") + "\n");
        sb.Append($"modeled SMMU time per map+unmap(ns):{result.ModeledNanosecondsPerLoop:F1}\n");
        if (result.VcmdqCommands is { } vcmdqs)
        {
            var used = vcmdqs.Select((n, q) => (n, q)).Where(x => x.n != 0).Select(x => $"vcmdq{x.q} {x.n}");
            sb.Append($"commands per queue: {string.Join(", ", used.Append($"cmdq {result.CmdqCommands}"))}\n");
        }

        if (result.Dma.Type == DmaDomainType.DmaFq)
        {
            var d = result.Dma;
            sb.Append($"flush queue flushes:{d.Flushes} full:{d.FullFlushes} timeout:{d.TimeoutFlushes} teardown:{d.TeardownFlushes}\n");
        }

        sb.Append($"iova allocations:{result.Dma.IovaAllocations} range cache hits:{result.Dma.RcacheHitRate * 100:F2}%\n");
        if (result.Scaling is { } scaling)
        {
            sb.Append($"scaling 1 to {scaling.Threads} threads:{scaling.Ratio:F2}x (pairs {scaling.MinRatio:F2}x-{scaling.MaxRatio:F2}x) "
                + $"throughput 1 thread:{scaling.OneThreadPerSecond:F0} {scaling.Threads} threads:{scaling.ThreadsPerSecond:F0} "
                + $"(medians of {scaling.Pairs.Count} pairs of {scaling.Slice.TotalSeconds:0.###} s slices)\n");
        }
        return sb.ToString();
    }

    private static double PerSecond(long loops, double seconds) => seconds <= 0 ? 0 : loops / seconds;
}
