using System.Text.Json;
using SmmuLab.Driver.Dma;
using SmmuLab.Encoding;
using SmmuLab.Machines.Bench;

namespace SmmuLab.Reporting.Json;

/// <summary><c>smmulab bench --json</c>: one object per benchmark run, one run per design (schema <c>smmulab/bench</c>, docs/schema/bench.schema.json).</summary>
public static class DmaMapBenchmarkJson
{
    public const string Command = "bench";

    public static void Write(Stream stream, IReadOnlyList<DmaMapBenchmarkResult> runs) =>
        JsonReport.Write(stream, Command, w => WriteProperties(w, runs));

    public static void WriteProperties(Utf8JsonWriter w, IReadOnlyList<DmaMapBenchmarkResult> runs)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(runs);
        w.WriteStartArray("runs");
        foreach (var run in runs)
        {
            WriteRun(w, run);
        }

        w.WriteEndArray();
    }

    private static void WriteRun(Utf8JsonWriter w, DmaMapBenchmarkResult r)
    {
        var o = r.Options;
        w.WriteStartObject();
        w.WriteString("design", r.Design);
        w.WriteString("mode", DmaMapBenchmarkText.ModeName(r.Dma.Type));
        w.WriteString("device", r.Device);
        w.WriteString("smmu", r.Smmu);
        w.WriteNumber("threads", o.Threads);
        w.WriteNumber("duration_ns", o.Duration.Ticks * 100L);
        w.WriteNumber("granule_pages", o.Granule);
        w.WriteNumber("mapping_bytes", (ulong)o.Granule * DmaMapBenchmarkOptions.PageSize);
        w.WriteString("direction", DmaMapBenchmarkText.DirectionName(o.Direction));
        w.WriteNumber("dma_trans_ns", o.DmaTransNs);
        w.WriteNumber("wall_time_ns", r.Elapsed.Ticks * 100L);
        w.WriteNumber("loops", r.Loops);
        w.WriteStartArray("thread_loops");
        foreach (var n in r.ThreadLoops)
        {
            w.WriteNumberValue(n);
        }

        w.WriteEndArray();
        w.WriteNumber("loops_per_second", r.LoopsPerSecond);
        WriteLatency(w, "map_latency", r.Map, r.MapHistogram);
        WriteLatency(w, "unmap_latency", r.Unmap, r.UnmapHistogram);
        w.WriteNumber("commands", r.TotalCommands);
        w.WriteNumber("cmd_syncs", r.Syncs);
        w.WriteNumber("commands_per_loop", r.CommandsPerLoop);
        w.WriteNumber("cmd_syncs_per_loop", r.SyncsPerLoop);
        w.WriteStartArray("commands_by_opcode");
        foreach (var (op, n) in r.Commands)
        {
            w.WriteStartObject();
            w.WriteString("opcode", OpcodeNames.SpecNameOrNumber(op));
            w.WriteNumber("count", n);
            w.WriteNumber("per_loop", r.PerLoop(n));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("modeled_time_ns", r.ModeledNanoseconds);
        w.WriteNumber("modeled_time_per_loop_ns", r.ModeledNanosecondsPerLoop);
        w.WriteNumber("cmdq_commands", r.CmdqCommands);
        if (r.VcmdqCommands is { } vcmdqs)
        {
            w.WriteStartArray("vcmdq_commands");
            foreach (var n in vcmdqs)
            {
                w.WriteNumberValue(n);
            }

            w.WriteEndArray();
        }
        else
        {
            w.WriteNull("vcmdq_commands");
        }

        WriteDma(w, r.Dma);
        WriteScaling(w, r.Scaling);
        w.WriteEndObject();
    }

    /// <summary>Mean and standard deviation as the kernel computes them (100 ns units, here in ns), and the histogram.</summary>
    private static void WriteScaling(Utf8JsonWriter w, ThreadScaling? scaling)
    {
        if (scaling is null)
        {
            w.WriteNull("scaling");
            return;
        }

        w.WriteStartObject("scaling");
        w.WriteNumber("threads", scaling.Threads);
        w.WriteNumber("slice_ns", scaling.Slice.Ticks * 100L);
        w.WriteNumber("ratio", scaling.Ratio);
        w.WriteNumber("min_ratio", scaling.MinRatio);
        w.WriteNumber("max_ratio", scaling.MaxRatio);
        w.WriteNumber("one_thread_loops_per_second", scaling.OneThreadPerSecond);
        w.WriteNumber("threads_loops_per_second", scaling.ThreadsPerSecond);
        w.WriteStartArray("pairs");
        foreach (var (one, many) in scaling.Pairs)
        {
            w.WriteStartObject();
            w.WriteNumber("one_thread_loops_per_second", one);
            w.WriteNumber("threads_loops_per_second", many);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteLatency(Utf8JsonWriter w, string name, LatencyAccumulator sums, LatencyHistogram histogram)
    {
        w.WriteStartObject(name);
        w.WriteNumber("samples", sums.Count);
        w.WriteNumber("mean_ns", sums.Mean * 100);
        w.WriteNumber("stddev_ns", sums.StandardDeviation * 100);
        w.WriteNumber("p50_ns", histogram.Percentile(0.50));
        w.WriteNumber("p99_ns", histogram.Percentile(0.99));
        w.WriteStartArray("histogram");
        foreach (var (lower, upper, count) in histogram.Buckets())
        {
            w.WriteStartObject();
            w.WriteNumber("from_ns", lower);
            w.WriteNumber("to_ns", upper);
            w.WriteNumber("count", count);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteDma(Utf8JsonWriter w, DmaStatisticsSnapshot d)
    {
        w.WriteStartObject("dma");
        w.WriteNumber("maps", d.Maps);
        w.WriteNumber("unmaps", d.Unmaps);
        w.WriteNumber("map_failures", d.MapFailures);
        w.WriteNumber("strict_unmaps", d.StrictUnmaps);
        w.WriteNumber("deferred_unmaps", d.DeferredUnmaps);
        w.WriteNumber("flushes", d.Flushes);
        w.WriteNumber("full_flushes", d.FullFlushes);
        w.WriteNumber("timeout_flushes", d.TimeoutFlushes);
        w.WriteNumber("teardown_flushes", d.TeardownFlushes);
        w.WriteNumber("iova_allocations", d.IovaAllocations);
        w.WriteNumber("rcache_hits", d.RcacheHits);
        w.WriteNumber("rcache_hit_rate", d.RcacheHitRate);
        w.WriteEndObject();
    }
}
