using System.Text.Json;
using SmmuLab.Verification.Stress;

namespace SmmuLab.Reporting.Json;

/// <summary><c>smmulab check --json</c>: a <see cref="StressReport"/> (schema <c>smmulab/check</c>, docs/schema/check.schema.json).</summary>
public static class StressReportJson
{
    public const string Command = "check";

    /// <summary>
    /// The whole document. <paramref name="reproduce"/> is the arguments of the <c>smmulab check</c>
    /// line that reruns what was found (as the text's <c>reproduce:</c> line), null when the run was clean.
    /// </summary>
    public static void Write(Stream stream, StressReport report, string design, string? reproduce) =>
        JsonReport.Write(stream, Command, w => WriteProperties(w, report, design, reproduce));

    /// <summary>The report's properties inside an open object: options, machine, phases, violations, failures, verdict.</summary>
    public static void WriteProperties(Utf8JsonWriter w, StressReport report, string design, string? reproduce)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(report);
        var o = report.Options;
        w.WriteString("design", design);
        w.WriteNumber("seed", o.Seed);
        w.WriteNumber("threads", o.Threads);
        w.WriteNumber("duration_ns", o.Duration.Ticks * 100L);
        w.WriteNumber("explorations", o.Explorations);
        w.WriteNumber("explore_rounds", o.ExploreRounds);
        w.WriteString("machine", report.Machine);
        WritePhase(w, "stress", report.Stress);
        WritePhase(w, "explore", report.Explore);
        w.WriteStartArray("violations");
        foreach (var v in report.Violations)
        {
            w.WriteStartObject();
            w.WriteString("phase", v.Phase);
            w.WriteNumber("schedule", v.Schedule);
            w.WriteNumber("seed", v.Seed);
            w.WritePropertyName("violation");
            OracleViolationJson.Write(w, v.Violation);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.Strings("failures", report.Failures);
        w.WriteBoolean("clean", report.Clean);
        w.StringOrNull("reproduce", reproduce is null ? null : $"smmulab check {reproduce}");
    }

    private static void WritePhase(Utf8JsonWriter w, string name, StressPhase? phase)
    {
        if (phase is null)
        {
            w.WriteNull(name);
            return;
        }

        var c = phase.Counters;
        w.WriteStartObject(name);
        w.WriteNumber("schedules", phase.Schedules);
        w.WriteNumber("wall_time_ns", phase.Elapsed.Ticks * 100L);
        w.WriteNumber("dma_pages_checked", phase.DmaPagesChecked);
        w.NumberOrNull("dma_pages_checked_per_second", phase.Elapsed > TimeSpan.Zero ? phase.DmaPagesChecked / phase.Elapsed.TotalSeconds : null);
        w.WriteNumber("dmas", c.Dmas);
        w.WriteNumber("rounds", c.Rounds);
        w.WriteNumber("maps", c.Maps);
        w.WriteNumber("unmaps", c.Unmaps);
        w.WriteNumber("attach_detach_cycles", c.Attaches);
        w.WriteNumber("ats_cycles", c.AtsCycles);
        w.WriteNumber("probes", c.Probes);
        w.WriteNumber("ordering_points", phase.OrderingPoints);
        w.WriteNumber("perturbed", phase.Perturbed);
        w.WriteEndObject();
    }
}
