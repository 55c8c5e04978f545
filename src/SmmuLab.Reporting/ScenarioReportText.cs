using System.Text;
using SmmuLab.Scenarios;

namespace SmmuLab.Reporting;

/// <summary>A <see cref="ScenarioReport"/> as the text <c>smmulab run</c> prints.</summary>
public static class ScenarioReportText
{
    /// <summary>Violations listed in the text report; the rest are counted.</summary>
    public const int ViolationsShown = 20;

    /// <summary>One line per step, the totals, the oracle's findings, each SMMU's counters, then the machine's own lines.</summary>
    public static string Format(this ScenarioReport report)
    {
        var scenario = report.Scenario;
        var sb = new StringBuilder();
        sb.AppendLine($"scenario {scenario.Path}{(scenario.Description is { } d ? $": {d}" : string.Empty)}");
        sb.AppendLine($"invalidation: {scenario.Invalidation}{(scenario.Smmus.Any(s => s.RangeFallback) ? ", range-fallback" : string.Empty)}");
        foreach (var step in report.Steps)
        {
            sb.AppendLine(step.Format());
        }

        if (report.Omitted > 0)
        {
            sb.AppendLine($"  ... {report.Omitted} more step results not listed (passed steps after the first {report.Steps.Count(s => s.Index >= 0 && s.Passed)})");
        }

        if (report.Stopped)
        {
            sb.AppendLine($"stopped by request after {report.Passed + report.Failed} of {scenario.Steps.Count} steps: the figures below cover what ran");
        }

        sb.AppendLine($"{report.Passed + report.Failed} steps: {report.Passed} passed, {report.Failed} failed");
        if (report.Oracle is { } oracle)
        {
            sb.AppendLine(oracle.Headline);
            foreach (var v in oracle.Violations.Take(ViolationsShown))
            {
                sb.Append(v.Format());
            }

            if (oracle.ViolationCount > ViolationsShown)
            {
                sb.AppendLine($"  ... and {oracle.ViolationCount - ViolationsShown} more violations");
            }
        }

        foreach (var smmu in report.Smmus)
        {
            sb.Append(smmu.Format());
        }

        foreach (var line in report.MachineLines)
        {
            sb.AppendLine(line);
        }

        return sb.ToString();
    }
}
