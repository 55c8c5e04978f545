using System.Text.Json;

namespace SmmuLab.Reporting.Json;

/// <summary><c>smmulab compare --json</c>: a <see cref="DesignComparison"/> (schema <c>smmulab/compare</c>, docs/schema/compare.schema.json).</summary>
public static class DesignComparisonJson
{
    public const string Command = "compare";

    public static void Write(Stream stream, DesignComparison comparison) => JsonReport.Write(stream, Command, w => WriteProperties(w, comparison));

    /// <summary>The scenario, each design's run (steps, cost by operation kind, total, SMMU counters), and the linux/legacy ratios per kind.</summary>
    public static void WriteProperties(Utf8JsonWriter w, DesignComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(comparison);
        ScenarioReportJson.WriteScenario(w, comparison.Scenario);
        var kinds = comparison.Kinds();
        if (comparison.DivergedAt is { } diverged)
        {
            w.WriteNumber("diverged_at", diverged);
        }
        else
        {
            w.WriteNull("diverged_at");
        }

        w.WriteStartArray("excluded_steps"); // failed under a design, or at or after diverged_at: left out of every sum below
        foreach (var index in comparison.ExcludedSteps)
        {
            w.WriteNumberValue(index);
        }

        w.WriteEndArray();
        w.WriteStartArray("designs");
        foreach (var run in comparison.Runs)
        {
            w.WriteStartObject();
            w.WriteString("design", run.Design);
            w.WriteNumber("steps_passed", run.Report.Passed);
            w.WriteNumber("steps_failed", run.Report.Failed);
            w.WriteStartArray("failures");
            foreach (var f in run.Report.Failures)
            {
                w.WriteStartObject();
                w.WriteNumber("index", f.Index);
                w.WriteNumber("line", f.Line);
                w.WriteString("outcome", f.Outcome);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("by_kind");
            foreach (var kind in kinds)
            {
                WriteCost(w, kind, run.ByKind.GetValueOrDefault(kind));
            }

            w.WriteEndArray();
            w.WritePropertyName("total");
            WriteCost(w, null, Total(run, kinds));
            w.WriteStartArray("smmus");
            foreach (var smmu in run.Report.Smmus)
            {
                RunSummaryJson.Write(w, smmu);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (comparison.Runs.Count == 2)
        {
            var (legacy, linux) = (comparison.Runs[0], comparison.Runs[1]);
            w.WriteStartArray("ratios");
            foreach (var kind in kinds.Append("total"))
            {
                var a = kind == "total" ? Total(legacy, kinds) : legacy.ByKind.GetValueOrDefault(kind);
                var b = kind == "total" ? Total(linux, kinds) : linux.ByKind.GetValueOrDefault(kind);
                w.WriteStartObject();
                w.WriteString("kind", kind);
                w.NumberOrNull("commands", Ratio(b.Commands, a.Commands));
                w.NumberOrNull("cmd_syncs", Ratio(b.Syncs, a.Syncs));
                w.NumberOrNull("modeled_time", Ratio(b.ModeledNanoseconds, a.ModeledNanoseconds));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
    }

    /// <summary>The sum of a design's cost over <paramref name="kinds"/>.</summary>
    public static StepCost Total(DesignRun run, IEnumerable<string> kinds)
    {
        ArgumentNullException.ThrowIfNull(run);
        return kinds.Aggregate(default(StepCost), (s, k) =>
        {
            var c = run.ByKind.GetValueOrDefault(k);
            return new StepCost(s.Commands + c.Commands, s.Syncs + c.Syncs, s.ModeledNanoseconds + c.ModeledNanoseconds);
        });
    }

    private static void WriteCost(Utf8JsonWriter w, string? kind, StepCost cost)
    {
        w.WriteStartObject();
        if (kind is not null)
        {
            w.WriteString("kind", kind);
        }

        w.WriteNumber("commands", cost.Commands);
        w.WriteNumber("cmd_syncs", cost.Syncs);
        w.WriteNumber("modeled_time_ns", cost.ModeledNanoseconds);
        w.WriteEndObject();
    }

    private static double? Ratio(double linux, double legacy) => legacy == 0 ? null : linux / legacy;
}
