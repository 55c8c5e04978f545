using SmmuLab.Machines;
using SmmuLab.Verification;

namespace SmmuLab.Scenarios;

/// <summary>
/// The result of running a scenario: one <see cref="StepResult"/> per step (and per failed setup
/// item), and what each SMMU did, taken from its counters at the end of the run; with the
/// stale-translation oracle, what it found. SmmuLab.Reporting formats it.
/// </summary>
public sealed record ScenarioReport(Scenario Scenario, IReadOnlyList<StepResult> Steps, IReadOnlyList<RunSummary> Smmus)
{
    /// <summary>What the stale-translation oracle found, when the run had one.</summary>
    public OracleSummary? Oracle { get; init; }

    /// <summary>Stale-translation violations the oracle found (0 without an oracle).</summary>
    public long ViolationCount => Oracle?.ViolationCount ?? 0;

    public int Passed => Steps.Count(s => s.Passed);

    public int Failed => Steps.Count(s => !s.Passed);

    public IEnumerable<StepResult> Failures => Steps.Where(s => !s.Passed);

    /// <summary>True when setup completed, every step met its expectation and the oracle found no violation.</summary>
    public bool Succeeded => Failed == 0 && ViolationCount == 0;

    /// <summary>What the machine adds to the report (<see cref="IScenarioMachine.ReportLines"/>).</summary>
    public IReadOnlyList<string> MachineLines { get; init; } = [];
}
