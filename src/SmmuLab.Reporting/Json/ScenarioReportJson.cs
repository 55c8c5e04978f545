using System.Text.Json;
using SmmuLab.Scenarios;
using SmmuLab.Verification;

namespace SmmuLab.Reporting.Json;

/// <summary><c>smmulab run --json</c>: a <see cref="ScenarioReport"/> (schema <c>smmulab/run</c>, docs/schema/run.schema.json).</summary>
public static class ScenarioReportJson
{
    public const string Command = "run";

    /// <summary>The whole document.</summary>
    public static void Write(Stream stream, ScenarioReport report) => JsonReport.Write(stream, Command, w => WriteProperties(w, report));

    /// <summary>The report's properties inside an open object: scenario, steps, counts, oracle, SMMUs, machine lines.</summary>
    public static void WriteProperties(Utf8JsonWriter w, ScenarioReport report)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(report);
        WriteScenario(w, report.Scenario);
        w.WriteStartArray("steps");
        foreach (var step in report.Steps)
        {
            WriteStep(w, step);
        }

        w.WriteEndArray();
        w.WriteNumber("steps_run", report.Passed + report.Failed);
        w.WriteNumber("steps_passed", report.Passed);
        w.WriteNumber("steps_failed", report.Failed);
        w.WriteNumber("steps_omitted", report.Omitted);
        w.WriteBoolean("stopped", report.Stopped);
        w.WriteBoolean("succeeded", report.Succeeded);
        if (report.Oracle is { } oracle)
        {
            WriteOracle(w, oracle);
        }
        else
        {
            w.WriteNull("oracle");
        }

        w.WriteStartArray("smmus");
        foreach (var smmu in report.Smmus)
        {
            RunSummaryJson.Write(w, smmu);
        }

        w.WriteEndArray();
        w.Strings("machine_lines", report.MachineLines);
    }

    /// <summary>The <c>scenario</c> object: path, description, invalidation design, range fallback.</summary>
    public static void WriteScenario(Utf8JsonWriter w, Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(scenario);
        w.WriteStartObject("scenario");
        w.WriteString("path", scenario.Path);
        w.StringOrNull("description", scenario.Description);
        w.WriteString("invalidation", scenario.Invalidation);
        w.WriteBoolean("range_fallback", scenario.Smmus.Any(s => s.RangeFallback));
        w.WriteNumber("steps", scenario.Steps.Count);
        w.WriteEndObject();
    }

    private static void WriteStep(Utf8JsonWriter w, StepResult step)
    {
        w.WriteStartObject();
        w.WriteNumber("index", step.Index);
        w.WriteBoolean("setup", step.Index < 0);
        w.WriteNumber("line", step.Line);
        w.WriteString("kind", step.Kind);
        w.WriteString("description", step.Description);
        w.WriteBoolean("passed", step.Passed);
        w.WriteString("outcome", step.Outcome);
        if (step.Dma is { } dma)
        {
            w.WriteStartObject("dma");
            w.WriteBoolean("ok", dma.Ok);
            w.WriteNumber("transferred_bytes", dma.Bytes);
            w.StringOrNull("fault", dma.Fault);
            w.StringOrNull("fault_reason", dma.Reason);
            w.StringOrNull("fault_detail", dma.Detail);
            w.WriteEndObject();
        }

        if (step.Workload is { } work)
        {
            w.WriteStartObject("workload");
            w.WriteNumber("buffers", work.Buffers);
            w.WriteNumber("map_calls", work.MapCalls);
            w.WriteNumber("unmap_calls", work.UnmapCalls);
            w.WriteNumber("map_failures", work.MapFailures);
            w.WriteNumber("dma_faults", work.DmaFaults);
            w.StringOrNull("first_fault", work.FirstFault);
            w.WriteNumber("transferred_bytes", work.BytesTransferred);
            w.WriteNumber("wall_time_ns", work.Elapsed.Ticks * 100L);
            w.WriteNumber("modeled_time_ns", work.ModeledTime.Ticks * 100L);
            w.WriteNumber("buffers_per_second", work.BuffersPerSecond);
            w.WriteBoolean("stopped", work.Stopped);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteOracle(Utf8JsonWriter w, OracleSummary oracle)
    {
        w.WriteStartObject("oracle");
        w.WriteNumber("pages_checked", oracle.PagesChecked);
        w.WriteNumber("pages_unchecked", oracle.PagesUnchecked);
        w.WriteNumber("deferred_window_pages", oracle.DeferredWindowPages);
        w.WriteNumber("violation_count", oracle.ViolationCount);
        w.WriteString("headline", oracle.Headline);
        w.WriteStartArray("violations");
        foreach (var v in oracle.Violations)
        {
            OracleViolationJson.Write(w, v);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
