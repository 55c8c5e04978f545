using System.Text;
using SmmuLab.Simulation.Reports;
using SmmuLab.Verification;

namespace SmmuLab.Simulation.Scenarios;

/// <summary>
/// The result of running a scenario: one <see cref="StepResult"/> per step (and per failed setup
/// item), and what each SMMU did, taken from its counters at the end of the run; with the
/// stale-translation oracle, what it found.
/// </summary>
public sealed record ScenarioReport(Scenario Scenario, IReadOnlyList<StepResult> Steps, IReadOnlyList<RunSummary> Smmus)
{
    /// <summary>Violations listed in the text report; the rest are counted.</summary>
    public const int ViolationsShown = 20;

    /// <summary>What the stale-translation oracle found, when the run had one.</summary>
    public OracleSummary? Oracle { get; init; }

    /// <summary>Stale-translation violations the oracle found (0 without an oracle).</summary>
    public long ViolationCount => Oracle?.ViolationCount ?? 0;

    public int Passed => Steps.Count(s => s.Passed);

    public int Failed => Steps.Count(s => !s.Passed);

    public IEnumerable<StepResult> Failures => Steps.Where(s => !s.Passed);

    /// <summary>True when setup completed, every step met its expectation and the oracle found no violation.</summary>
    public bool Succeeded => Failed == 0 && ViolationCount == 0;

    /// <summary>A plain-text report: one line per step, the totals, then each SMMU's counters.</summary>
    /// <summary>What the machine adds to the report (<see cref="IScenarioMachine.ReportLines"/>).</summary>
    public IReadOnlyList<string> MachineLines { get; init; } = [];

    public string Format()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"scenario {Scenario.Path}{(Scenario.Description is { } d ? $": {d}" : string.Empty)}");
        sb.AppendLine($"invalidation: {Scenario.Invalidation}{(Scenario.Smmus.Any(s => s.RangeFallback) ? ", range-fallback" : string.Empty)}");
        foreach (var step in Steps)
        {
            sb.AppendLine(step.Format());
        }

        sb.AppendLine($"{Steps.Count} steps: {Passed} passed, {Failed} failed");
        if (Oracle is { } oracle)
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

        foreach (var smmu in Smmus)
        {
            sb.Append(smmu.Format());
        }

        foreach (var line in MachineLines)
        {
            sb.AppendLine(line);
        }

        return sb.ToString();
    }
}
