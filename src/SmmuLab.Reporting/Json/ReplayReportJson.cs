using System.Text.Json;
using SmmuLab.Driver.Dma;
using SmmuLab.Replay.Diagnostics;
using SmmuLab.Replay.Engine;
using SmmuLab.Replay.Parsing;
using SmmuLab.Reporting.Replay;

namespace SmmuLab.Reporting.Json;

/// <summary><c>smmulab replay --json</c>: one run per design replayed (schema <c>smmulab/replay</c>, docs/schema/replay.schema.json).</summary>
public static class ReplayReportJson
{
    public const string Command = "replay";

    public static void Write(Stream stream, IReadOnlyList<ReplayReport> runs) => JsonReport.Write(stream, Command, w => WriteProperties(w, runs));

    public static void WriteProperties(Utf8JsonWriter w, IReadOnlyList<ReplayReport> runs)
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

    private static void WriteRun(Utf8JsonWriter w, ReplayReport r)
    {
        w.WriteStartObject();
        w.WriteString("source", r.Source);
        w.WriteString("machine", r.Machine);
        w.WriteString("design", r.Design);
        w.WriteString("mode", ReplayReportText.ModeName(r.Mode));
        w.WriteNumber("cpus", r.CpuCount);
        w.WriteString("cpus_from", r.CpuCountSource);
        w.WriteString("end", r.End switch { ReplayEnd.Truncated => "truncated", ReplayEnd.ReadError => "read-error", _ => "complete" });
        w.StringOrNull("read_error", r.ReadError);
        WriteTrace(w, r);
        w.Strings("devices", r.Devices);
        w.Strings("created_devices", r.CreatedDevices);
        w.Strings("notes", r.Notes);
        WriteCounters(w, r.Counters);
        w.WriteStartArray("domains");
        foreach (var (domain, s) in r.DmaDomains)
        {
            WriteDomain(w, domain, s);
        }

        w.WriteEndArray();
        w.WritePropertyName("cost");
        WriteCost(w, null, null, r.ReplayCost, r.DurationSeconds);
        w.WriteStartArray("by_operation");
        foreach (var op in Enum.GetValues<ReplayOperation>())
        {
            WriteCost(w, ReplayReportText.OperationName(op), ReplayReportText.Calls(r, op), r.Cost(op), r.DurationSeconds);
        }

        w.WriteEndArray();
        w.WriteStartArray("replay_problems");
        foreach (var p in Enum.GetValues<ReplayProblem>())
        {
            if (r.Problems.Count(p) > 0)
            {
                WriteProblem(w, p.ToString(), r.Problems.Count(p), r.Problems.Samples(p));
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteTrace(Utf8JsonWriter w, ReplayReport r)
    {
        var d = r.Diagnostics;
        w.WriteStartObject("trace");
        w.WriteNumber("lines", d.Lines);
        w.WriteNumber("events", d.Events);
        w.WriteNumber("comment_lines", d.CommentLines);
        w.WriteNumber("header_lines", d.HeaderLines);
        w.WriteNumber("blank_lines", d.BlankLines);
        w.WriteNumber("lines_not_understood", d.NotUnderstood);
        w.WriteNumber("lost_event_lines", d.LostEventLines);
        w.WriteNumber("lost_events", d.LostEvents);
        w.WriteBoolean("unterminated_last_line", d.UnterminatedLastLine);
        var timed = r.FirstTimestamp.Unit != TimestampUnit.None;
        w.WriteBoolean("timed", timed);
        w.WriteNumber("duration_ns", r.Duration);
        w.StringOrNull("first_timestamp", timed ? r.FirstTimestamp.ToString() : null);
        w.StringOrNull("last_timestamp", timed ? r.LastTimestamp.ToString() : null);
        w.WriteStartArray("problems");
        foreach (var p in Enum.GetValues<TraceProblem>())
        {
            if (d.Count(p) > 0)
            {
                WriteProblem(w, p.ToString(), d.Count(p), d.Samples(p));
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteCounters(Utf8JsonWriter w, ReplayCounters c)
    {
        w.WriteStartObject("dma_api");
        w.WriteNumber("maps", c.AllMaps);
        w.WriteNumber("single_maps", c.Maps);
        w.WriteNumber("sg_maps", c.SgMaps);
        w.WriteNumber("coherent_allocs", c.Allocs);
        w.WriteNumber("unmaps", c.AllUnmaps);
        w.WriteNumber("single_unmaps", c.Unmaps);
        w.WriteNumber("sg_unmaps", c.SgUnmaps);
        w.WriteNumber("coherent_frees", c.Frees);
        w.WriteNumber("mapped_bytes", c.BytesMapped);
        w.WriteNumber("addresses_matching_trace", c.AllMatchingTrace);
        w.WriteNumber("failed_in_trace", c.FailedInTrace);
        w.WriteNumber("dma_syncs", c.Syncs);
        w.WriteNumber("null_frees", c.NoOps);
        w.WriteEndObject();
        w.WriteStartObject("iommu");
        w.WriteNumber("maps", c.IommuMaps);
        w.WriteNumber("unmaps", c.IommuUnmaps);
        w.WriteNumber("checked_in_dma_call", c.IommuClaimed);
        w.WriteNumber("inconsistent", c.IommuInconsistent);
        w.WriteNumber("maps_applied", c.IommuMapsApplied);
        w.WriteNumber("unmaps_applied", c.IommuUnmapsApplied);
        w.WriteNumber("unmaps_of_dma_mappings", c.IommuUnmapsOfDmaMappings);
        w.WriteNumber("unattributed", c.IommuUnattributed);
        w.WriteNumber("dma_calls_without_iommu_events", c.CallsWithoutIommuEvents);
        w.WriteEndObject();
        w.WriteStartObject("other_events");
        w.WriteNumber("io_page_faults", c.PageFaults);
        w.WriteNumber("attaches", c.Attaches);
        w.WriteNumber("detaches", c.Detaches);
        w.WriteNumber("group_events", c.GroupEvents);
        w.WriteNumber("folded_cpu_events", c.FoldedCpuEvents);
        w.WriteNumber("timestamps_backwards", c.TimestampsBackwards);
        w.WriteEndObject();
    }

    private static void WriteDomain(Utf8JsonWriter w, string domain, DmaStatisticsSnapshot s)
    {
        w.WriteStartObject();
        w.WriteString("domain", domain);
        w.WriteNumber("maps", s.Maps);
        w.WriteNumber("unmaps", s.Unmaps);
        w.WriteNumber("flushes", s.Flushes);
        w.WriteNumber("full_flushes", s.FullFlushes);
        w.WriteNumber("timeout_flushes", s.TimeoutFlushes);
        w.WriteNumber("entries_left_queued", s.QueueDepth);
        w.WriteNumber("entries_lost", s.EntriesLost);
        w.WriteNumber("iova_allocations", s.IovaAllocations);
        w.WriteNumber("rcache_hits", s.RcacheHits);
        w.WriteNumber("unmap_warnings", s.UnmapWarnings);
        w.WriteEndObject();
    }

    private static void WriteCost(Utf8JsonWriter w, string? operation, long? calls, SmmuCost cost, double seconds)
    {
        w.WriteStartObject();
        if (operation is not null)
        {
            w.WriteString("operation", operation);
            w.WriteNumber("calls", calls ?? 0);
        }

        w.WriteNumber("commands", cost.Commands);
        w.WriteNumber("cmd_syncs", cost.Syncs);
        w.WriteNumber("tlbis", cost.Tlbis);
        w.WriteNumber("atc_invs", cost.AtcInvs);
        w.WriteNumber("modeled_time_ns", cost.ModeledNanoseconds);
        if (operation is null)
        {
            w.WriteStartObject("per_second_of_trace");
            w.NumberOrNull("commands", PerSecond(cost.Commands, seconds));
            w.NumberOrNull("cmd_syncs", PerSecond(cost.Syncs, seconds));
            w.NumberOrNull("tlbis", PerSecond(cost.Tlbis, seconds));
            w.NumberOrNull("atc_invs", PerSecond(cost.AtcInvs, seconds));
            w.NumberOrNull("modeled_time_ns", PerSecond(cost.ModeledNanoseconds, seconds));
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteProblem(Utf8JsonWriter w, string problem, long count, IReadOnlyList<TraceDiagnosticSample> samples)
    {
        w.WriteStartObject();
        w.WriteString("problem", problem);
        w.WriteNumber("count", count);
        w.WriteStartArray("samples");
        foreach (var s in samples)
        {
            w.WriteStartObject();
            w.WriteNumber("line", s.LineNumber);
            w.WriteString("detail", s.Detail);
            w.WriteString("text", s.Text);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static double? PerSecond(double value, double seconds) => seconds > 0 ? value / seconds : null;
}
