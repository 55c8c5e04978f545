using SmmuLab.Hardware.Smmu;
using SmmuLab.Reporting;

namespace SmmuLab.Scenarios.Tests;

public class ScenarioRunnerTests
{
    [Fact]
    public void Calls_the_machine_in_order_with_step_indices()
    {
        var scenario = ScenarioParser.Parse(ScenarioText.Example, "example.toml");
        using var machine = new FakeScenarioMachine();
        var runner = new ScenarioRunner(machine);
        machine.StepProbe = () => runner.CurrentStep;

        var report = runner.Run(scenario);

        Assert.Equal(
        [
            "smmu smmu0 s1,s2,nesting,ril,ats,msi generic mode=-",
            "device nic smmu0 0x20,0x21 ats=True",
            "domain dom s1 asid=5 vmid=",
            "attach nic dom pasid=",
            "map dom 0x10000 0x80000000 0x23000 w=True",
            "unmap dom 0x10000 0x23000",
            "dma nic 0x10000 0x1000 read pasid=",
        ], machine.Calls);
        Assert.Equal([-1, -1, -1, 0, 1, 2, 3], machine.StepsAtCall);
        Assert.True(report.Succeeded);
        Assert.Equal((4, 0), (report.Passed, report.Failed));
        Assert.Equal(["attach", "map", "unmap", "dma"], report.Steps.Select(s => s.Kind));
        Assert.Equal([15, 19, 25, 30], report.Steps.Select(s => s.Line));
        Assert.Equal("smmu0", Assert.Single(report.Smmus).Smmu);
    }

    [Fact]
    public void Expect_mismatch_is_a_failure()
    {
        var scenario = ScenarioParser.Parse(ScenarioText.MachineBuilder()
            .Dma("nic", 0x1000, 0x1000, "write", expect: "fault")
            .Dma("nic", 0x1000, 0x1000, "read", expect: "ok")
            .Dma("nic", 0x1000, 0x1000, "read")
            .ToToml(), "expect.toml");
        using var machine = new FakeScenarioMachine();
        machine.DmaResults.Enqueue(new DmaOutcome(true, 0x1000, null));
        machine.DmaResults.Enqueue(new DmaOutcome(false, 0, "F_TRANSLATION"));
        machine.DmaResults.Enqueue(new DmaOutcome(false, 0, "F_TRANSLATION"));

        var report = new ScenarioRunner(machine).Run(scenario);

        Assert.False(report.Succeeded);
        Assert.Equal([false, false, true], report.Steps.Select(s => s.Passed));
        Assert.Equal("expected fault, got ok, 0x1000 bytes", report.Steps[0].Outcome);
        Assert.Equal("expected ok, got fault (F_TRANSLATION) after 0x0 bytes", report.Steps[1].Outcome);
        Assert.Equal([0, 1], report.Failures.Select(f => f.Index));
        Assert.Contains("FAIL: expected fault", report.Format(), StringComparison.Ordinal);
        Assert.Contains("3 steps: 1 passed, 2 failed", report.Format(), StringComparison.Ordinal);
    }

    [Fact]
    public void Refused_step_fails_unless_error_was_expected_and_the_run_goes_on()
    {
        var scenario = ScenarioParser.Parse(ScenarioText.MachineBuilder()
            .Attach("nic", "dom2")
            .Attach("nic", "dom2", expect: "error")
            .Flush("dom", expect: "error")
            .Flush("dom")
            .ToToml(), "refuse.toml");
        using var machine = new FakeScenarioMachine();
        machine.Refuse.Add("attach nic dom2");

        var report = new ScenarioRunner(machine).Run(scenario);

        Assert.Equal([false, true, false, true], report.Steps.Select(s => s.Passed));
        Assert.Equal("error: refused: attach nic dom2 pasid=", report.Steps[0].Outcome);
        Assert.StartsWith("error as expected", report.Steps[1].Outcome, StringComparison.Ordinal);
        Assert.Equal("expected an error, but the step completed", report.Steps[2].Outcome);
    }

    [Fact]
    public void Refused_setup_ends_the_run()
    {
        var scenario = ScenarioParser.Parse(ScenarioText.Example, "example.toml");
        using var machine = new FakeScenarioMachine();
        machine.Refuse.Add("domain dom");

        var report = new ScenarioRunner(machine).Run(scenario);

        var failure = Assert.Single(report.Steps);
        Assert.Equal((-1, "domain", 11, false), (failure.Index, failure.Kind, failure.Line, failure.Passed));
        Assert.DoesNotContain(machine.Calls, c => c.StartsWith("attach", StringComparison.Ordinal));
        Assert.False(report.Succeeded);
    }

    [Fact]
    public void Mode_override_reaches_every_SMMU()
    {
        var scenario = ScenarioParser.Parse(ScenarioText.Example, "example.toml");
        using var machine = new FakeScenarioMachine();

        new ScenarioRunner(machine, new ScenarioRunOptions { Mode = ConsumptionMode.FreeRunning }).Run(scenario);

        Assert.Equal("free-running", Assert.Single(machine.Smmus).Mode);
    }

    [Fact]
    public void Hand_programmed_machine_runs_the_default_shaped_scenario()
    {
        var scenario = ScenarioParser.Parse(ScenarioText.TraceScenario, "trace.toml");
        using var machine = new HandProgrammedScenarioMachine();

        var report = new ScenarioRunner(machine).Run(scenario);

        Assert.True(report.Succeeded, report.Format());
        var smmu = Assert.Single(report.Smmus);
        Assert.Equal(2, smmu.Faults);
        Assert.True(smmu.SyncCount >= 4);
        Assert.Contains("F_TRANSLATION", report.Format(), StringComparison.Ordinal);
    }
}
