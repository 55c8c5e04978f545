using System.Globalization;
using SmmuLab.Reporting.Tables;
using SmmuLab.Scenarios;

namespace SmmuLab.Reporting;

/// <summary>A <see cref="ScenarioReport"/> as the text <c>smmulab run</c> prints.</summary>
public static class ScenarioReportText
{
    /// <summary>Violations listed in the text report; the rest are counted.</summary>
    public const int ViolationsShown = 20;

    /// <summary>The steps table, the totals, the oracle's findings, each SMMU's counters, then the machine's own lines.</summary>
    public static string Format(this ScenarioReport report) => report.ToTextReport().ToPlainText();

    /// <summary>What <see cref="Format"/> prints, as lines and tables (the CLI draws the tables with Spectre.Console on a terminal).</summary>
    public static TextReport ToTextReport(this ScenarioReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var scenario = report.Scenario;
        var text = new TextReport();
        text.Line($"scenario {scenario.Path}{(scenario.Description is { } d ? $": {d}" : string.Empty)}");
        text.Line($"invalidation: {scenario.Invalidation}{(scenario.Smmus.Any(s => s.RangeFallback) ? ", range-fallback" : string.Empty)}");
        if (report.Steps.Count > 0)
        {
            text.Table(StepTable(report.Steps));
        }

        if (report.Omitted > 0)
        {
            text.Line($"  ... {report.Omitted} more step results not listed (passed steps after the first {report.Steps.Count(s => s.Index >= 0 && s.Passed)})");
        }

        if (report.Stopped)
        {
            text.Line($"stopped by request after {report.Passed + report.Failed} of {scenario.Steps.Count} steps: the figures below cover what ran");
        }

        text.Line($"{report.Passed + report.Failed} steps: {report.Passed} passed, {report.Failed} failed");
        if (report.Oracle is { } oracle)
        {
            text.Line(oracle.Headline);
            foreach (var v in oracle.Violations.Take(ViolationsShown))
            {
                text.Lines(v.Format());
            }

            if (oracle.ViolationCount > ViolationsShown)
            {
                text.Line($"  ... and {oracle.ViolationCount - ViolationsShown} more violations");
            }
        }

        foreach (var smmu in report.Smmus)
        {
            text.Append(smmu.ToTextReport());
        }

        foreach (var line in report.MachineLines)
        {
            text.Line(line);
        }

        return text;
    }

    /// <summary>
    /// One row per step result: the step (<c>#3</c>, or <c>setup</c> for a setup item), its line in
    /// the file, what it did, and its outcome (<c>FAIL: </c> first when it failed). Every column is as
    /// wide as its widest cell, so a row of step #1000 at line 10000 lines up with the first.
    /// </summary>
    public static TextTable StepTable(IEnumerable<StepResult> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var table = new TextTable(TableColumn.Number("step"), TableColumn.Number("line"), new TableColumn("operation"), new TableColumn("outcome"))
        {
            Indent = "  ",
        };
        foreach (var step in steps)
        {
            table.AddRow(step.Index < 0 ? "setup" : $"#{step.Index}", step.Line.ToString(CultureInfo.InvariantCulture), step.Description,
                $"{(step.Passed ? string.Empty : "FAIL: ")}{step.Outcome}");
        }

        return table;
    }
}
