using SmmuLab.Reporting;

namespace SmmuLab.Scenarios.Tests.Reporting;

public class DesignComparisonTests
{
    private static Scenario Load(string name) =>
        ScenarioParser.ParseFile(Path.Combine(ScenarioParserTests.RepositoryRoot(), "scenarios", name));

    [Fact]
    public void Multi_SMMU_domain_runs_only_under_the_linux_design()
    {
        var comparison = DesignComparison.Run(Load("multi-smmu-shared.toml"), s => new DriverScenarioMachine(s));
        var legacy = comparison.Runs.Single(r => r.Design == "legacy");
        var linux = comparison.Runs.Single(r => r.Design == "linux");

        Assert.True(linux.Report.Succeeded);
        Assert.Contains(legacy.Report.Failures, f => f.Outcome.Contains("one SMMU per domain"));

        // The legacy design refuses the second attach (step #1): from there the two machines hold
        // different state, so nothing after it is compared.
        Assert.Equal(1, comparison.DivergedAt);
        Assert.Equal(Enumerable.Range(1, comparison.Scenario.Steps.Count - 1), comparison.ExcludedSteps);
        Assert.Equal(["setup", "attach"], comparison.Kinds());
        Assert.DoesNotMatch(@"\| unmap +\|", comparison.Format());
        Assert.Contains("not compared from step #1 on", comparison.Format(), StringComparison.Ordinal);
    }

    [Fact]
    public void Under_the_linux_design_one_unmap_of_the_shared_domain_reaches_each_of_the_four_SMMUs()
    {
        var scenario = Load("multi-smmu-shared.toml") with { Invalidation = "linux" };
        var meter = new StepCostMeter();
        using var machine = new DriverScenarioMachine(scenario);
        var report = new ScenarioRunner(machine, new ScenarioRunOptions { Observer = meter }).Run(scenario);

        Assert.True(report.Succeeded);
        var unmap = scenario.Steps.Select((step, index) => (step, index)).Single(s => s.step.OpName == "unmap").index;

        // TLBI + CMD_SYNC + 2 ATC_INV + CMD_SYNC on each SMMU.
        Assert.Equal((4 * 5, 4 * 2), (meter.Costs[unmap].Commands, meter.Costs[unmap].Syncs));
    }

    [Fact]
    public void Last_detach_flush_is_the_linux_designs_extra_cost()
    {
        var comparison = DesignComparison.Run(Load("basic-s1.toml"), s => new DriverScenarioMachine(s));
        var legacy = comparison.Runs[0].ByKind;
        var linux = comparison.Runs[1].ByKind;
        Assert.Equal(legacy["unmap"].Commands, linux["unmap"].Commands);
        Assert.Equal(legacy["detach"].Commands + 2, linux["detach"].Commands); // TLBI_NH_ASID + CMD_SYNC
        Assert.Equal(legacy["detach"].Syncs + 1, linux["detach"].Syncs);
        Assert.True(linux["detach"].ModeledNanoseconds > legacy["detach"].ModeledNanoseconds);
    }
}
