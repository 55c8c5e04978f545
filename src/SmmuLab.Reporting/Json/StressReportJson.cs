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

    /// <summary>
    /// The report's properties inside an open object: options, machine, phases (<c>explore</c> is the
    /// randomized phase of <c>--explore-random</c>, <c>systematic</c> Coyote's of <c>--explore</c>),
    /// violations, failures, verdict.
    /// </summary>
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
        WriteSystematic(w, report.Systematic);
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

    private static void WriteSystematic(Utf8JsonWriter w, SystematicPhase? phase)
    {
        if (phase is null)
        {
            w.WriteNull("systematic");
            return;
        }

        w.WriteStartObject("systematic");
        w.WriteNumber("iterations", phase.Iterations);
        w.WriteNumber("wall_time_ns", phase.Elapsed.Ticks * 100L);
        w.WriteNumber("schedules", phase.Schedules);
        w.WriteNumber("scheduling_steps", phase.Steps);
        w.WriteNumber("bugs", phase.Bugs);
        w.WriteStartArray("explorations");
        foreach (var e in phase.Explorations)
        {
            w.WriteStartObject();
            w.WriteString("name", e.Name);
            w.WriteNumber("seed", e.Seed);
            w.WriteNumber("schedules", e.Schedules);
            w.WriteNumber("scheduling_steps", e.Steps);
            w.WriteNumber("bugs", e.Bugs);
            w.StringOrNull("first_bug", e.FirstBug);
            w.WriteNumber("wall_time_ns", e.Elapsed.Ticks * 100L);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
