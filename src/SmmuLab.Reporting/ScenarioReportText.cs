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

        sb.AppendLine($"{report.Steps.Count} steps: {report.Passed} passed, {report.Failed} failed");
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
