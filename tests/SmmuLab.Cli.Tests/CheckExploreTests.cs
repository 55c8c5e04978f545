using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using SmmuLab.Cli.Commands;
using SmmuLab.Cli.Exploring;
using SmmuLab.Cli.Tests.Results;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Exploration;
using SmmuLab.Verification.Stress;

namespace SmmuLab.Cli.Tests;

/// <summary>
/// <c>smmulab check --explore N</c>: Coyote's systematic explorations, run from the rewritten copy
/// in this output folder's <c>explore/</c> (built by Coyote.targets, as beside the executable).
/// </summary>
public partial class CheckExploreTests
{
    private static readonly string[] Names = [.. SystematicExplorations.All.Select(e => e.Name)];

    [GeneratedRegex(@"^  (.+?): +(\d+) schedules, (\d+) scheduling steps, (\d+) bug\(s\), [\d.]+ s$", RegexOptions.Multiline)]
    private static partial Regex ExplorationLine();

    [Fact]
    public void Explore_runs_every_systematic_exploration_and_reports_its_schedules()
    {
        var (code, output, error) = CliRun.Smmulab("check", "--explore", "3", "--seconds", "0", "--seed", "0");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Empty(error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("check: seed 0", lines[0]);
        Assert.StartsWith("explore: systematic (Coyote), 7 explorations x up to 3 schedules, ", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(" 21 interleavings explored, " + Regex.Match(lines[1], @"(\d+) scheduling steps").Value + ", 0 bug(s)", lines[1], StringComparison.Ordinal);
        var found = ExplorationLine().Matches(output);
        Assert.Equal(Names, found.Select(m => m.Groups[1].Value));
        Assert.All(found, m => Assert.Equal(3, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));
        Assert.All(found, m => Assert.True(long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) > 0, m.Value));
        Assert.Equal("result: no violation", lines[^1]);
    }

    [Fact]
    public void Explore_in_json_lists_each_exploration_with_its_schedules_and_seed()
    {
        var (code, output, _) = CliRun.Smmulab("check", "--explore", "3", "--seconds", "0", "--seed", "0", "--json", "-");

        Assert.Equal(ExitCodes.Success, code);
        var root = JsonSchemas.AssertValid("check", output);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, root.GetProperty("stress").ValueKind);
        var systematic = root.GetProperty("systematic");
        Assert.Equal(3, systematic.GetProperty("iterations").GetInt32());
        Assert.Equal(21, systematic.GetProperty("schedules").GetInt64());
        Assert.Equal(0, systematic.GetProperty("bugs").GetInt32());
        var explorations = systematic.GetProperty("explorations").EnumerateArray().ToList();
        Assert.Equal(Names, explorations.Select(e => e.GetProperty("name").GetString()));
        Assert.All(explorations, e => Assert.Equal(3, e.GetProperty("schedules").GetInt32()));
        Assert.All(explorations, e => Assert.True(e.GetProperty("scheduling_steps").GetInt64() > 0));

        // Seed 0 explores with the concurrency tests' seeds.
        Assert.All(explorations, e => Assert.Equal(CoyoteExplorer.Seed(e.GetProperty("name").GetString()!), e.GetProperty("seed").GetUInt32()));
        Assert.Equal(systematic.GetProperty("scheduling_steps").GetInt64(), explorations.Sum(e => e.GetProperty("scheduling_steps").GetInt64()));
    }

    [Fact]
    public void A_missing_explore_folder_is_one_line_and_exit_2()
    {
        using var dir = new TempDirectory("smmulab-explore");
        var missing = dir.PathOf("explore");

        var result = Check(missing, "--explore", "3", "--seconds", "0");

        CliRun.AssertUsageError(result, $"--explore needs the Coyote-rewritten copy of the driver in {missing}, which is missing");
    }

    [Fact]
    public void A_missing_explore_folder_is_refused_before_the_stress_phase_runs()
    {
        using var dir = new TempDirectory("smmulab-explore");

        CliRun.AssertUsageError(Check(dir.PathOf("explore"), "--explore", "3", "--seconds", "60"), "--explore needs");
    }

    [Fact]
    public void An_explore_folder_with_unrewritten_assemblies_is_refused()
    {
        using var dir = new TempDirectory("smmulab-explore");
        var folder = dir.PathOf("explore");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(AppContext.BaseDirectory, "SmmuLab.*.dll"))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        CliRun.AssertUsageError(Check(folder, "--explore", "1", "--seconds", "0"), "SmmuLab.Driver.dll is not rewritten by Coyote");
    }

    [Fact]
    public void A_bug_found_is_printed_with_the_line_that_reruns_it_and_exit_1()
    {
        var bug = "Assertion failure: stale TLB entry on smmu1: the unmapped page still translates";
        (SystematicPhase?, string?) Found(string folder, uint iterations, int seed, Action<int, int, string>? starting, CancellationToken stop) =>
            (new SystematicPhase(iterations, [new SystematicOutcome("attach vs unmap+DMA", 9, 4, 1234, 1, bug, TimeSpan.FromSeconds(0.2))], TimeSpan.FromSeconds(0.2)), null);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var options = new StressOptions { Duration = TimeSpan.Zero, Seed = 7 };

        var code = CheckCommand.Run(null, null, options, InvalidationDesigns.Create, output, error, TestContext.Current.CancellationToken,
            systematic: new SystematicRequest(3, RewrittenCopy.DefaultFolder, Terminal: false) { Run = Found });

        Assert.Equal(ExitCodes.Failed, code);
        var text = output.ToString();
        Assert.EndsWith("1 bug(s)", text.Split('\n')[1], StringComparison.Ordinal);
        Assert.Contains("  attach vs unmap+DMA: 4 schedules, 1234 scheduling steps, 1 bug(s), 0.2 s", text);
        Assert.Contains($"    {bug}", text);
        Assert.Contains("result: 0 violation(s), 0 failure(s), 1 bug(s) in the systematic exploration", text);
        Assert.Contains("reproduce: smmulab check --seconds 0 --explore 3 --seed 7", text);
        Assert.Equal($"smmulab: check found 0 violation(s), 0 failure(s) and 1 bug(s){Environment.NewLine}", error.ToString());
    }

    /// <summary>Runs <c>smmulab check ARGS</c> with the rewritten copy looked for in <paramref name="exploreFolder"/>.</summary>
    private static (int Code, string Out, string Err) Check(string exploreFolder, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var root = new RootCommand { CheckCommand.Build(InvalidationDesigns.Create, exploreFolder) };
        var code = root.Parse(["check", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}
