using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Scenarios;

/// <summary>
/// Follows a <see cref="ScenarioRunner"/> run step by step without taking part in it: a cost meter
/// (SmmuLab.Reporting's <c>StepCostMeter</c>), or anything else that samples the SMMUs per step.
/// </summary>
public interface IRunObserver
{
    /// <summary>An SMMU the machine built, as soon as it exists (before the driver probes it), once per SMMU.</summary>
    void SmmuAdded(string name, SmmuDevice device);

    /// <summary>Step <paramref name="index"/> starts: -1 is setup (probe, tables), then each [[step]] index.</summary>
    void StepStarted(int index);

    /// <summary>The run is over (after the last step, or after setup failed).</summary>
    void RunEnded();
}
