using SmmuLab.Hardware.Smmu;
using SmmuLab.Tracing.Perfetto;

namespace SmmuLab.Scenarios;

/// <summary>
/// Feeds a <see cref="PerfettoTraceWriter"/> from a <see cref="ScenarioRunner"/> run: every SMMU the
/// machine builds is exported as it appears, and each step (setup, each [[step]] by index and kind,
/// then teardown) is a slice on every SMMU's steps track. Set it as
/// <see cref="ScenarioRunOptions.Observer"/>; dispose the writer after the machine to include teardown.
/// </summary>
public sealed class PerfettoRunObserver(PerfettoTraceWriter writer, Scenario scenario) : IRunObserver
{
    public void SmmuAdded(string name, SmmuDevice device) => writer.Attach(device, name);

    public void StepStarted(int index) => writer.StepStarted(index, Label(index));

    public void RunEnded() => writer.StepStarted(int.MaxValue, "teardown");

    private string Label(int index) =>
        index < 0 ? "setup"
        : index < scenario.Steps.Count ? $"#{index} {scenario.Steps[index].OpName}"
        : "teardown";
}
