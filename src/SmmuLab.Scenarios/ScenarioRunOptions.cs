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
}
