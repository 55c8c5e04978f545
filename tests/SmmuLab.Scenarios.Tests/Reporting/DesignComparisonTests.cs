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

        // One unmap reaches each of the four SMMUs: TLBI + CMD_SYNC + 2 ATC_INV + CMD_SYNC each.
        Assert.Equal(new StepCost(4 * 5, 4 * 2, linux.ByKind["unmap"].ModeledNanoseconds), linux.ByKind["unmap"]);
        Assert.Equal(5, legacy.ByKind["unmap"].Commands);
        Assert.Matches(@"\| unmap +\| +5 \| +2 \|", comparison.Format());
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
