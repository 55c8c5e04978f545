using SmmuLab.Driver.Invalidation;
using SmmuLab.TestSupport.Scenarios;

namespace SmmuLab.Cli.Tests;

public class CompareCommandTests
{
    private static readonly string OneDma = new ScenarioBuilder()
        .Smmu("smmu0", "s1")
        .Device("nic", [0x20])
        .Domain("dom", "s1")
        .Attach("nic", "dom")
        .Dma("nic", 0x10000, 0x1000, "read", expect: "ok")
        .ToToml();

    [Fact]
    public void A_step_failing_under_one_design_exits_1_and_is_left_out_of_both_sums()
    {
        using var dir = new TempDirectory("smmulab-compare-");
        var path = dir.Write("s.toml", OneDma);

        var (code, output, _) = CliRun.Smmulab(s => new StubScenarioMachine(s, faultAll: s.Invalidation == InvalidationDesigns.Linux), "compare", path);

        Assert.Equal(1, code);
        Assert.Contains("legacy: 2 steps passed, 0 failed", output, StringComparison.Ordinal);
        Assert.Contains("linux: 1 steps passed, 1 failed", output, StringComparison.Ordinal);
        Assert.Contains("not compared (failed under a design, so the designs did unequal work): steps #1", output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\| dma +\|", output);

        var (_, json, _) = CliRun.Smmulab(s => new StubScenarioMachine(s, faultAll: s.Invalidation == InvalidationDesigns.Linux), "compare", path, "--json", "-");
        var excluded = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("excluded_steps");
        Assert.Equal([1], excluded.EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void Equal_work_that_passes_under_both_designs_exits_0()
    {
        using var dir = new TempDirectory("smmulab-compare-");
        var path = dir.Write("s.toml", OneDma);

        var (code, output, _) = CliRun.Smmulab(s => new StubScenarioMachine(s, faultAll: false), "compare", path);

        Assert.Equal(0, code);
        Assert.Matches(@"\| dma +\|", output);
        Assert.DoesNotContain("not compared", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_refuses_a_malformed_scenario_with_file_and_line()
    {
        using var dir = new TempDirectory("smmulab-compare-");
        var path = dir.Write("bad.toml", "invalidation = \"legacy\"\n[[smmu]]\nname = \"smmu0\"\nfeaturez = []\n");
        var (code, _, error) = CliRun.Smmulab("compare", path);
        Assert.Equal(2, code);
        Assert.Contains($"{path}:4:", error);
    }
}
