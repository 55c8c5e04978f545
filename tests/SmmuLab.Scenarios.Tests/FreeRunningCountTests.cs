using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Scenarios.Tests;

/// <summary>
/// A free-running SMMU consumes on its own thread; the report must still count every command the
/// driver published, including the last ones issued without a CMD_SYNC.
/// </summary>
public class FreeRunningCountTests
{
    [Fact]
    public void Free_running_runs_report_the_same_command_counts_as_inline_every_time()
    {
        var scenario = ScenarioParser.LoadDefault();
        var inline = Counts(scenario, ConsumptionMode.Inline);
        for (var run = 0; run < 5; run++)
        {
            Assert.Equal(inline, Counts(scenario, ConsumptionMode.FreeRunning));
        }
    }

    private static string Counts(Scenario scenario, ConsumptionMode mode)
    {
        using var machine = new DriverScenarioMachine(scenario);
        var report = new ScenarioRunner(machine, new ScenarioRunOptions { Mode = mode }).Run(scenario);
        return string.Join("; ", report.Smmus.Select(s => $"{s.Smmu}: {s.CommandCount} commands, {string.Join(",", s.Commands.Select(c => $"{c.Opcode}={c.Count}"))}"));
    }
}
