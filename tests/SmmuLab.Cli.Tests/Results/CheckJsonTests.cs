using System.CommandLine;
using System.Text.RegularExpressions;
using SmmuLab.Cli.Commands;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Platform;
using SmmuLab.TestSupport.Designs;

namespace SmmuLab.Cli.Tests.Results;

/// <summary><c>smmulab check --json</c>: valid against docs/schema/check.schema.json, with the text's figures.</summary>
public partial class CheckJsonTests
{
    [GeneratedRegex(@"DMAs checked (\d+) \(\d+/s\) of (\d+) issued, (\d+) maps, (\d+) unmaps")]
    private static partial Regex StressFigures();

    private static (int Code, string Out, string Err) Check(Func<string, Waiter, IInvalidationDesign> designs, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var root = new RootCommand { CheckCommand.Build(designs) };
        var code = root.Parse(["check", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void A_clean_check_writes_a_valid_document_with_the_texts_figures()
    {
        using var dir = new TempDirectory("smmulab-check-json");
        var path = dir.PathOf("check.json");

        var (code, text, error) = CliRun.Smmulab("check", "--seconds", "1", "--seed", "3", "--explore-random", "2", "--json", path);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Empty(error);
        var root = JsonSchemas.AssertValid("check", File.ReadAllText(path));
        Assert.Equal("linux", root.GetProperty("design").GetString());
        Assert.Equal(3, root.GetProperty("seed").GetInt32());
        Assert.Equal(2, root.GetProperty("threads").GetInt32());
        Assert.Equal(1_000_000_000L, root.GetProperty("duration_ns").GetInt64());
        Assert.True(root.GetProperty("clean").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, root.GetProperty("reproduce").ValueKind);
        Assert.Empty(root.GetProperty("violations").EnumerateArray());

        // The stress phase's counts are the text's.
        var stressLine = text.Split('\n').Single(l => l.StartsWith("stress: ", StringComparison.Ordinal));
        var m = StressFigures().Match(stressLine);
        Assert.True(m.Success, stressLine);
        var stress = root.GetProperty("stress");
        Assert.Equal(long.Parse(m.Groups[1].Value), stress.GetProperty("dma_pages_checked").GetInt64());
        Assert.Equal(long.Parse(m.Groups[2].Value), stress.GetProperty("dmas").GetInt64());
        Assert.Equal(long.Parse(m.Groups[3].Value), stress.GetProperty("maps").GetInt64());
        Assert.Equal(long.Parse(m.Groups[4].Value), stress.GetProperty("unmaps").GetInt64());
        Assert.True(stress.GetProperty("dma_pages_checked").GetInt64() > 0);
        Assert.Equal(1, stress.GetProperty("schedules").GetInt32());
        var explore = root.GetProperty("explore");
        Assert.Equal(2, explore.GetProperty("schedules").GetInt32());
        Assert.True(explore.GetProperty("ordering_points").GetInt64() > 0);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, root.GetProperty("systematic").ValueKind);
    }

    [Fact]
    public void Json_to_standard_output_replaces_the_text()
    {
        var (code, output, _) = CliRun.Smmulab("check", "--seconds", "0", "--explore-random", "1", "--seed", "5", "--json", "-");

        Assert.Equal(ExitCodes.Success, code);
        var root = JsonSchemas.AssertValid("check", output);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, root.GetProperty("stress").ValueKind);
        Assert.DoesNotContain("result: no violation", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_violation_is_in_the_document_with_the_line_that_reruns_it()
    {
        using var dir = new TempDirectory("smmulab-check-json");
        var path = dir.PathOf("check.json");

        var (code, text, _) = Check((name, waiter) => new SkipLeafInvalidation(InvalidationDesigns.Create(name, waiter)),
            "--seconds", "60", "--seed", "11", "--json", path);

        Assert.Equal(ExitCodes.Failed, code);
        var root = JsonSchemas.AssertValid("check", File.ReadAllText(path));
        Assert.False(root.GetProperty("clean").GetBoolean());
        var found = root.GetProperty("violations")[0];
        Assert.Equal("stress", found.GetProperty("phase").GetString());
        Assert.Equal(11, found.GetProperty("seed").GetInt32());
        Assert.Equal("stale", found.GetProperty("violation").GetProperty("kind").GetString());
        var reproduce = text.Split('\n').Single(l => l.StartsWith("reproduce: ", StringComparison.Ordinal))["reproduce: ".Length..];
        Assert.Equal(reproduce, root.GetProperty("reproduce").GetString());
    }

    [Fact]
    public void A_json_path_over_the_scenario_is_refused_before_the_check()
    {
        using var dir = new TempDirectory("smmulab-check-json");
        var scenario = dir.Write("s.toml", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "scenarios", "basic-s1.toml")));

        CliRun.AssertUsageError(CliRun.Smmulab("check", scenario, "--seconds", "1", "--json", scenario), "would replace an input");
    }
}
