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
        Assert.Contains("not compared from step #1 on (1 step): it failed under linux only", output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\| dma +\|", output);

        var (_, json, _) = CliRun.Smmulab(s => new StubScenarioMachine(s, faultAll: s.Invalidation == InvalidationDesigns.Linux), "compare", path, "--json", "-");
        var root = System.Text.Json.JsonDocument.Parse(json).RootElement;
        Assert.Equal([1], root.GetProperty("excluded_steps").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(1, root.GetProperty("diverged_at").GetInt32());
    }

    [Fact]
    public void Every_step_after_the_designs_diverge_is_left_out_because_their_machines_differ()
    {
        // The legacy design refuses to attach the shared domain to a second SMMU: its later unmaps
        // reach one SMMU where the Linux design's reach two, which is not the same work.
        var shared = new ScenarioBuilder()
            .Smmu("smmu0", "s1")
            .Smmu("smmu1", "s1")
            .Device("a", [0x20], smmu: "smmu0")
            .Device("b", [0x30], smmu: "smmu1")
            .Domain("dom", "s1")
            .Attach("a", "dom")
            .Attach("b", "dom")
            .Map("dom", 0x10000, 0x8000_0000, 0x1000)
            .Unmap("dom", 0x10000, 0x1000)
            .ToToml();
        using var dir = new TempDirectory("smmulab-compare-");
        var path = dir.Write("shared.toml", shared);

        var (code, output, _) = CliRun.Smmulab("compare", path);

        Assert.Equal(1, code);
        Assert.Contains("not compared from step #1 on (3 steps): it failed under legacy only", output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\| unmap +\|", output);
        Assert.DoesNotContain("failed under both designs):", output, StringComparison.Ordinal);
        var (_, json, _) = CliRun.Smmulab("compare", path, "--json", "-");
        var root = System.Text.Json.JsonDocument.Parse(json).RootElement;
        Assert.Equal([1, 2, 3], root.GetProperty("excluded_steps").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(1, root.GetProperty("diverged_at").GetInt32());
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
