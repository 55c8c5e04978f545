using SmmuLab.Hardware.Smmu;
using SmmuLab.Tracing;
using SmmuLab.Verification;

namespace SmmuLab.Scenarios;

/// <summary>How <see cref="ScenarioRunner"/> runs a scenario.</summary>
public sealed record ScenarioRunOptions
{
    /// <summary>Where to write the JSON Lines trace, or null for none.</summary>
    public TraceWriter? Trace { get; init; }

    /// <summary>Follows the run step by step (<c>smmulab compare</c> measures each step's cost with one).</summary>
    public IRunObserver? Observer { get; init; }

    /// <summary>Overrides every [[smmu]]'s <c>mode</c> (the command line's <c>--free-running</c>), or null to keep the file's.</summary>
    public ConsumptionMode? Mode { get; init; }

    /// <summary>
    /// Judges every page of DMA against what the driver mapped, unmapped, attached and detached
    /// (see docs/oracle.md); the report then carries its summary and a violation fails the run.
    /// The runner tells it the step and feeds it through an <see cref="OracleScenarioMachine"/>;
    /// its owner disposes it.
    /// </summary>
    public StaleTranslationOracle? Oracle { get; init; }

    /// <summary>Stops the run after the current step (a workload after its current buffer); the report is then partial and says so.</summary>
    public CancellationToken Stop { get; init; }

    /// <summary>
    /// Told where the run is: at the start of each step, and while a workload runs (from its
    /// threads, at least every thousand buffers per thread). Keep it cheap; it is not throttled.
    /// </summary>
    public Action<ScenarioProgress>? Progress { get; init; }

    /// <summary>
    /// Step results kept in the report one by one; beyond it only failures (up to the same number
    /// again) are kept and the rest are counted, so a long run's report does not grow with its steps.
    /// </summary>
    public int StepResultLimit { get; init; } = DefaultStepResultLimit;

    public const int DefaultStepResultLimit = 1000;
}

/// <summary>Where a run is: step <see cref="Step"/> (0-based) of <see cref="Steps"/>, and in a workload, buffers done of its count.</summary>
public readonly record struct ScenarioProgress(int Step, int Steps, long BuffersDone, long Buffers);
