using System.Text;
using SmmuLab.Simulation.Reports;

namespace SmmuLab.Simulation.Scenarios;

/// <summary>
/// The result of running a scenario: one <see cref="StepResult"/> per step (and per failed setup
/// item), and what each SMMU did, taken from its counters at the end of the run.
/// </summary>
public sealed record ScenarioReport(Scenario Scenario, IReadOnlyList<StepResult> Steps, IReadOnlyList<RunSummary> Smmus)
{
    public int Passed => Steps.Count(s => s.Passed);

    public int Failed => Steps.Count(s => !s.Passed);

    public IEnumerable<StepResult> Failures => Steps.Where(s => !s.Passed);

    /// <summary>True when setup completed and every step met its expectation.</summary>
    public bool Succeeded => Failed == 0;

    /// <summary>A plain-text report: one line per step, the totals, then each SMMU's counters.</summary>
    public string Format()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"scenario {Scenario.Path}{(Scenario.Description is { } d ? $": {d}" : string.Empty)}");
        sb.AppendLine($"invalidation: {Scenario.Invalidation}");
        foreach (var step in Steps)
        {
            sb.AppendLine(step.Format());
        }

        sb.AppendLine($"{Steps.Count} steps: {Passed} passed, {Failed} failed");
        foreach (var smmu in Smmus)
        {
            sb.Append(smmu.Format());
        }

        return sb.ToString();
    }
}
