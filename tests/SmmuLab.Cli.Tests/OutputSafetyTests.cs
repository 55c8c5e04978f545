using SmmuLab.TestSupport.Scenarios;

namespace SmmuLab.Cli.Tests;

/// <summary>Output files never replace an input and are written whole or not at all.</summary>
public class OutputSafetyTests
{
    private static readonly string Scenario = new ScenarioBuilder().Smmu("smmu0", "s1").Device("nic", [0x20]).ToToml();

    [Fact]
    public void A_trace_over_the_scenario_file_is_refused_and_the_scenario_is_kept()
    {
        using var dir = new TempDirectory("smmulab-out");
        var scenario = dir.Write("s.toml", Scenario);

        var (code, _, error) = CliRun.Smmulab("run", scenario, "--trace", scenario);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("the trace would replace an input of this run", error, StringComparison.Ordinal);
        Assert.Equal(Scenario, File.ReadAllText(scenario));
    }

    [Fact]
    public void A_trace_over_the_scenario_through_another_spelling_of_its_path_is_refused()
    {
        using var dir = new TempDirectory("smmulab-out");
        var scenario = dir.Write("s.toml", Scenario);
        var other = Path.Combine(dir.FullName, ".", "sub", "..", "s.toml");

        var (code, _, _) = CliRun.Smmulab("run", scenario, "--trace", other);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal(Scenario, File.ReadAllText(scenario));
    }

    [Fact]
    public void A_trace_in_a_missing_directory_is_a_one_line_message()
    {
        using var dir = new TempDirectory("smmulab-out");
        var scenario = dir.Write("s.toml", Scenario);

        var (code, output, error) = CliRun.Smmulab("run", scenario, "--trace", dir.PathOf("no/such/dir/t.jsonl"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal(string.Empty, output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("cannot write the trace", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trace_replaces_an_old_file_only_when_complete_and_leaves_no_temporary_file()
    {
        using var dir = new TempDirectory("smmulab-out");
        var scenario = dir.Write("s.toml", Scenario);
        var trace = dir.Write("t.jsonl", "old\n");

        var (code, _, _) = CliRun.Smmulab("run", scenario, "--trace", trace);

        Assert.Equal(ExitCodes.Success, code);
        Assert.DoesNotContain("old", File.ReadAllText(trace), StringComparison.Ordinal);
        Assert.Equal(["s.toml", "t.jsonl"], Directory.GetFiles(dir.FullName).Select(Path.GetFileName).Order());
    }
}
