using System.CommandLine;
using System.Text.RegularExpressions;
using SmmuLab.Cli.Commands;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Platform;
using SmmuLab.TestSupport.Designs;

namespace SmmuLab.Cli.Tests;

/// <summary><c>smmulab check</c>: a clean run, a broken design caught, explorations, reproducibility, refused input.</summary>
public partial class CheckCommandTests
{
    /// <summary>Runs <c>smmulab check ARGS</c> with designs from <paramref name="designs"/>.</summary>
    private static (int Code, string Out, string Err) Check(Func<string, Waiter, IInvalidationDesign> designs, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var root = new RootCommand { CheckCommand.Build(designs) };
        var code = root.Parse(["check", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private static IInvalidationDesign BrokenLeaf(string name, Waiter waiter) => new SkipLeafInvalidation(InvalidationDesigns.Create(name, waiter));

    [GeneratedRegex(@"DMAs checked (\d+)")]
    private static partial Regex DmasChecked();

    [GeneratedRegex(@"\d+ maps, \d+ unmaps, \d+ attach/detach, \d+ ATS cycles, \d+ probes that must fault")]
    private static partial Regex Counts();

    [Fact]
    public void A_clean_stress_prints_DMAs_checked_and_exits_0()
    {
        var (code, output, error) = CliRun.Smmulab("check", "--seconds", "1", "--seed", "3");

        Assert.Equal(0, code);
        Assert.Empty(error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("check: design linux, seed 3, threads 2 map/unmap/DMA + attach/detach + ATS on/off", lines[0]);
        Assert.StartsWith("machine: dev0 (map/unmap/DMA) on smmu0, ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("stress: ", lines[2], StringComparison.Ordinal);
        Assert.True(long.Parse(DmasChecked().Match(lines[2]).Groups[1].Value) > 0, lines[2]);
        Assert.Contains("interleavings: one free-running schedule of real threads (not counted)", lines[2]);
        Assert.Equal("result: no violation", lines[^1]);
    }

    [Fact]
    public void A_design_that_skips_leaf_invalidation_is_reported_with_a_rerun_line_and_exit_1()
    {
        var (code, output, error) = Check(BrokenLeaf, "--seconds", "60", "--seed", "11");

        Assert.Equal(1, code);
        Assert.Contains("violation 1 (stress, seed 11):", output);
        Assert.Contains("VIOLATION (stale)", output);
        Assert.Contains("reproduce: smmulab check --design linux --threads 2 --seconds 60 --seed 11", output);
        Assert.StartsWith("smmulab: check found ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exploration_violation_names_the_schedule_seed_to_rerun_alone()
    {
        var (code, output, _) = Check(BrokenLeaf, "--seconds", "0", "--explore-random", "200", "--seed", "40");

        Assert.Equal(1, code);
        var m = Regex.Match(output, @"violation 1 \(explore-random schedule (\d+), seed (\d+)\):");
        Assert.True(m.Success, output);
        Assert.Equal(40 + int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value));
        Assert.Contains($"reproduce: smmulab check --design linux --threads 2 --seconds 0 --explore-random 1 --seed {m.Groups[2].Value}", output);
    }

    [Fact]
    public void Randomized_explorations_say_what_they_are_and_repeat_their_operations_under_the_same_seed()
    {
        var first = Check(InvalidationDesigns.Create, "--seconds", "0", "--explore-random", "3", "--seed", "4");
        var second = Check(InvalidationDesigns.Create, "--seconds", "0", "--explore-random", "3", "--seed", "4");

        Assert.Equal(0, first.Code);
        var explore = first.Out.Split('\n').Single(l => l.StartsWith("explore-random: ", StringComparison.Ordinal));
        Assert.StartsWith("explore-random: 3 randomized schedules x 8 rounds per thread, ", explore, StringComparison.Ordinal);
        Assert.Contains("driver ordering points met", explore);
        Assert.Contains("(real threads with seeded random delays at the ordering points: randomized;", first.Out);
        Assert.DoesNotContain("stress: ", first.Out);
        Assert.DoesNotContain("explore: ", first.Out);

        // The threads' choices come from the seed: the same maps, unmaps, cycles and probes.
        Assert.Equal(Counts().Match(first.Out).Value, Counts().Match(second.Out).Value);
    }

    [Fact]
    public void A_scenario_machine_is_used_with_its_first_device()
    {
        var (code, output, _) = CliRun.Smmulab("check", Path.Combine(RepoRoot(), "scenarios", "multi-smmu-shared.toml"), "--seconds", "0", "--explore-random", "2", "--seed", "1");

        Assert.Equal(0, code);
        Assert.Contains("machine: gpu0 (map/unmap/DMA) on smmu0, check-churn (attach/detach) on smmu1, ", output);
    }

    [Fact]
    public void A_scenario_without_a_device_is_refused()
    {
        using var dir = new TempDirectory("smmulab-check");
        var path = dir.Write("empty.toml", "[[smmu]]\nname = \"smmu0\"\nfeatures = [\"s1\"]\n");

        CliRun.AssertUsageError(CliRun.Smmulab("check", path, "--seconds", "1"), "the machine has no [[device]] to check");
    }

    [Fact]
    public void A_machine_the_driver_cannot_set_up_is_refused_not_crashed()
    {
        IInvalidationDesign Refuses(string name, Waiter waiter) => throw new InvalidOperationException("no such design here");

        var (code, output, error) = Check(Refuses, "--seconds", "1");

        Assert.Equal((2, string.Empty), (code, output));
        Assert.Equal($"smmulab: default machine: cannot set the machine up for the check: no such design here{Environment.NewLine}", error);
    }

    [Theory]
    [InlineData("invalid number of threads", "--threads", "0")]
    [InlineData("invalid number of seconds", "--seconds", "-1")]
    [InlineData("invalid number of randomized explorations", "--explore-random", "-2")]
    [InlineData("invalid number of schedules for --explore, must be in 0-1000000", "--explore", "-1")]
    [InlineData("invalid number of schedules for --explore", "--seconds", "0", "--explore", "1000001")]
    [InlineData("nothing to do", "--seconds", "0")]
    [InlineData("invalid design 'fast'", "--design", "fast")]
    [InlineData("cannot read the scenario", "/nonexistent/machine.toml")]
    [InlineData("Cannot parse argument 'x'", "--seed", "x")]
    public void Bad_input_is_refused_with_one_line_and_exit_2(string message, params string[] args) =>
        CliRun.AssertUsageError(CliRun.Smmulab(["check", .. args]), message);

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SmmuLab.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
