using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Verification;

namespace SmmuLab.Scenarios.Tests.Workloads;

/// <summary>A scenario text run on a driver machine with the oracle, and what the tests read back.</summary>
internal sealed class WorkloadRun : IDisposable
{
    private WorkloadRun(DriverScenarioMachine machine, StaleTranslationOracle oracle, ScenarioReport report)
    {
        Machine = machine;
        Oracle = oracle;
        Report = report;
    }

    public DriverScenarioMachine Machine { get; }

    public StaleTranslationOracle Oracle { get; }

    public ScenarioReport Report { get; }

    public static WorkloadRun Of(string toml, IInvalidationDesign? design = null, ScenarioRunOptions? options = null)
    {
        var scenario = ScenarioParser.Parse(toml, "test.toml");
        var machine = design is null ? new DriverScenarioMachine(scenario) : new DriverScenarioMachine(design, memory: scenario.Memory);
        var oracle = new StaleTranslationOracle();
        var report = new ScenarioRunner(machine, (options ?? new ScenarioRunOptions()) with { Oracle = oracle }).Run(scenario);
        return new WorkloadRun(machine, oracle, report);
    }

    /// <summary>Commands of <paramref name="op"/> the SMMU called smmu0 consumed.</summary>
    public long Commands(Opcode op) => Machine.Machine.Smmu("smmu0").Device.Statistics.Commands(op);

    public void Dispose()
    {
        Oracle.Dispose();
        Machine.Dispose();
    }
}
