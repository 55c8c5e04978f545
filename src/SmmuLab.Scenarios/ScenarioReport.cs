using SmmuLab.Machines;
using SmmuLab.Verification;

namespace SmmuLab.Scenarios;

/// <summary>
/// The result of running a scenario: one <see cref="StepResult"/> per step (and per failed setup
/// item), and what each SMMU did, taken from its counters at the end of the run; with the
/// stale-translation oracle, what it found. SmmuLab.Reporting formats it. A long run keeps only
/// the first results and later failures (<see cref="ScenarioRunOptions.StepResultLimit"/>); the
/// counts cover every step.
/// </summary>
public sealed record ScenarioReport(Scenario Scenario, IReadOnlyList<StepResult> Steps, IReadOnlyList<RunSummary> Smmus)
{
    private readonly int? passed;
    private readonly int? failed;

    /// <summary>What the stale-translation oracle found, when the run had one.</summary>
    public OracleSummary? Oracle { get; init; }

    /// <summary>Stale-translation violations the oracle found (0 without an oracle).</summary>
    public long ViolationCount => Oracle?.ViolationCount ?? 0;

    /// <summary>Results that passed, counted over every step run (kept or not).</summary>
    public int Passed
    {
        get => passed ?? Steps.Count(s => s.Passed);
        init => passed = value;
    }

    /// <summary>Results that failed, counted over every step run (kept or not).</summary>
    public int Failed
    {
        get => failed ?? Steps.Count(s => !s.Passed);
        init => failed = value;
    }

    /// <summary>Step results run but not kept in <see cref="Steps"/> (all of them passed, or failures beyond the limit).</summary>
    public int Omitted => Passed + Failed - Steps.Count;

    /// <summary>The run was stopped (Ctrl-C) before its last step: the report covers the steps run.</summary>
    public bool Stopped { get; init; }

    public IEnumerable<StepResult> Failures => Steps.Where(s => !s.Passed);

    /// <summary>True when setup completed, every step met its expectation and the oracle found no violation.</summary>
    public bool Succeeded => Failed == 0 && ViolationCount == 0 && !Stopped;

    /// <summary>What the machine adds to the report (<see cref="IScenarioMachine.ReportLines"/>).</summary>
    public IReadOnlyList<string> MachineLines { get; init; } = [];
}
