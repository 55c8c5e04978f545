using System.Text.Json;
using System.Text.RegularExpressions;
using SmmuLab.Cli.Commands;
using SmmuLab.Machines.Bench;

namespace SmmuLab.Cli.Tests.Results;

/// <summary><c>--json</c> on run, compare, bench and replay: each document valid against its schema in docs/schema/, and equal to what the text says.</summary>
public partial class JsonOutputTests
{
    private static string Scenario(string name) => Path.Combine(AppContext.BaseDirectory, "scenarios", name);

    private static string Trace(string name) => Path.Combine(AppContext.BaseDirectory, "traces", name);

    [GeneratedRegex(@"^(\d+) steps: (\d+) passed, (\d+) failed$", RegexOptions.Multiline)]
    private static partial Regex StepTotals();

    [GeneratedRegex(@"^\s+commands consumed: (\d+) \((\d+) CMD_SYNC\)", RegexOptions.Multiline)]
    private static partial Regex CommandsLine();

    [Theory]
    [InlineData(null)]
    [InlineData("cmdqv.toml")]
    [InlineData("multi-smmu-shared.toml")]
    public void Run_json_is_valid_and_has_the_text_reports_figures(string? scenario)
    {
        using var dir = new TempDirectory("smmulab-json");
        var path = dir.PathOf("run.json");
        var args = scenario is null ? new[] { "run", "--json", path } : ["run", Scenario(scenario), "--json", path];

        var (code, text, _) = CliRun.Smmulab(args);

        Assert.Equal(ExitCodes.Success, code);
        var root = JsonSchemas.AssertValid("run", File.ReadAllText(path));
        var totals = StepTotals().Match(text);
        Assert.Equal(int.Parse(totals.Groups[1].Value), root.GetProperty("steps_run").GetInt32());
        Assert.Equal(int.Parse(totals.Groups[2].Value), root.GetProperty("steps_passed").GetInt32());
        Assert.True(root.GetProperty("succeeded").GetBoolean());
        Assert.Equal(0, root.GetProperty("oracle").GetProperty("violation_count").GetInt64());
        Assert.True(root.GetProperty("oracle").GetProperty("pages_checked").GetInt64() > 0);

        // Per SMMU, in the text's order: the same commands and CMD_SYNCs; the opcodes add up.
        var smmus = root.GetProperty("smmus").EnumerateArray().ToList();
        var lines = CommandsLine().Matches(text);
        Assert.Equal(lines.Count, smmus.Count);
        for (var i = 0; i < smmus.Count; i++)
        {
            Assert.Equal(long.Parse(lines[i].Groups[1].Value), smmus[i].GetProperty("commands").GetInt64());
            Assert.Equal(long.Parse(lines[i].Groups[2].Value), smmus[i].GetProperty("cmd_syncs").GetInt64());
            Assert.Equal(smmus[i].GetProperty("commands").GetInt64(),
                smmus[i].GetProperty("commands_by_opcode").EnumerateArray().Sum(o => o.GetProperty("count").GetInt64()));
            Assert.True(smmus[i].GetProperty("modeled_time_ns").GetDouble() > 0);
        }
    }

    [Fact]
    public void Run_json_to_standard_output_replaces_the_text()
    {
        var (code, output, _) = CliRun.Smmulab("run", "--json", "-");

        Assert.Equal(ExitCodes.Success, code);
        var root = JsonSchemas.AssertValid("run", output);
        Assert.Equal(16, root.GetProperty("steps").GetArrayLength());
        Assert.Equal("dma", root.GetProperty("steps")[4].GetProperty("kind").GetString());
        Assert.Equal(0x23000, root.GetProperty("steps")[4].GetProperty("dma").GetProperty("transferred_bytes").GetInt64());
    }

    [Fact]
    public void A_failed_run_still_writes_its_json_with_the_failure()
    {
        using var dir = new TempDirectory("smmulab-json");
        var scenario = dir.Write("s.toml", new SmmuLab.TestSupport.Scenarios.ScenarioBuilder().Smmu("smmu0", "s1").Device("nic", [0x20])
            .Domain("d", "s1").Attach("nic", "d").Dma("nic", 0x1000, 0x1000, "read", expect: "ok").ToToml());
        var path = dir.PathOf("r.json");

        var (code, _, _) = CliRun.Smmulab("run", scenario, "--json", path);

        Assert.Equal(ExitCodes.Failed, code);
        var root = JsonSchemas.AssertValid("run", File.ReadAllText(path));
        Assert.False(root.GetProperty("succeeded").GetBoolean());
        Assert.Equal(1, root.GetProperty("steps_failed").GetInt32());
        var failed = root.GetProperty("steps").EnumerateArray().Single(s => !s.GetProperty("passed").GetBoolean());
        Assert.False(failed.GetProperty("dma").GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void Compare_json_is_valid_and_its_totals_add_up()
    {
        var (code, output, _) = CliRun.Smmulab("compare", Scenario("multi-smmu-shared.toml"), "--json", "-");

        Assert.Equal(ExitCodes.Failed, code); // a step of this scenario fails under the legacy design (the failures below)
        var root = JsonSchemas.AssertValid("compare", output);
        var designs = root.GetProperty("designs").EnumerateArray().ToList();
        Assert.Equal(["legacy", "linux"], designs.Select(d => d.GetProperty("design").GetString()));
        foreach (var d in designs)
        {
            var kinds = d.GetProperty("by_kind").EnumerateArray().ToList();
            Assert.Equal(d.GetProperty("total").GetProperty("commands").GetInt64(), kinds.Sum(k => k.GetProperty("commands").GetInt64()));
            Assert.Equal(d.GetProperty("total").GetProperty("cmd_syncs").GetInt64(), kinds.Sum(k => k.GetProperty("cmd_syncs").GetInt64()));
        }

        // The legacy design refuses the second attach (step #1), so from there the two machines
        // differ: nothing after it is compared, and only setup and the first attach are left.
        Assert.Equal(1, root.GetProperty("diverged_at").GetInt32());
        var steps = root.GetProperty("scenario").GetProperty("steps").GetInt32();
        Assert.Equal(Enumerable.Range(1, steps - 1), root.GetProperty("excluded_steps").EnumerateArray().Select(e => e.GetInt32()));
        Assert.All(designs, d => Assert.Equal(["setup", "attach"], d.GetProperty("by_kind").EnumerateArray().Select(k => k.GetProperty("kind").GetString())));
        Assert.NotEmpty(designs[0].GetProperty("failures").EnumerateArray());
    }

    [Fact]
    public void Bench_json_is_valid_and_the_histograms_hold_every_sample()
    {
        using var dir = new TempDirectory("smmulab-json");
        var path = dir.PathOf("bench.json");
        var options = new DmaMapBenchmarkOptions { Threads = 1, Duration = TimeSpan.FromSeconds(30), MaxLoopsPerThread = 500 };
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = BenchCommand.Run(new BenchRequest(options, ["legacy", "linux"], JsonPath: path), output, error);

        Assert.Equal(ExitCodes.Success, code);
        var root = JsonSchemas.AssertValid("bench", File.ReadAllText(path));
        var runs = root.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["legacy", "linux"], runs.Select(r => r.GetProperty("design").GetString()));
        foreach (var run in runs)
        {
            Assert.Equal(500, run.GetProperty("loops").GetInt64());
            foreach (var name in new[] { "map_latency", "unmap_latency" })
            {
                var latency = run.GetProperty(name);
                Assert.Equal(500, latency.GetProperty("samples").GetInt64());
                Assert.Equal(500, latency.GetProperty("histogram").EnumerateArray().Sum(b => b.GetProperty("count").GetInt64()));
                Assert.True(latency.GetProperty("stddev_ns").GetInt64() >= 0);
            }

            // Strict: TLBI_NH_VA + CMD_SYNC per map+unmap (docs/cli.md).
            Assert.Equal(1000, run.GetProperty("commands").GetInt64());
            Assert.Equal(500, run.GetProperty("cmd_syncs").GetInt64());
            Assert.Equal(2.0, run.GetProperty("commands_per_loop").GetDouble(), 6);
        }

        Assert.Contains("dma mapping benchmark:", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_scaling_is_in_the_json_and_on_its_own_text_line()
    {
        using var dir = new TempDirectory("smmulab-json");
        var path = dir.PathOf("bench.json");
        var options = new DmaMapBenchmarkOptions { Threads = 2, Duration = TimeSpan.FromMilliseconds(400) };
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = BenchCommand.Run(new BenchRequest(options, JsonPath: path, Scaling: true), output, error);

        Assert.Equal(ExitCodes.Success, code);
        var scaling = JsonSchemas.AssertValid("bench", File.ReadAllText(path)).GetProperty("runs")[0].GetProperty("scaling");
        Assert.Equal(2, scaling.GetProperty("threads").GetInt32());

        // 400 ms: slices of 200 ms (two at least), so one pair after the warm-up one.
        Assert.Equal(200_000_000, scaling.GetProperty("slice_ns").GetInt64());
        var pair = Assert.Single(scaling.GetProperty("pairs").EnumerateArray().ToList());
        var one = pair.GetProperty("one_thread_loops_per_second").GetDouble();
        var two = pair.GetProperty("threads_loops_per_second").GetDouble();
        Assert.True(one > 0 && two > 0);
        Assert.Equal(two / one, scaling.GetProperty("ratio").GetDouble(), 9);
        var line = Assert.Single(output.ToString().Split('\n'), l => l.StartsWith("scaling 1 to 2 threads:", StringComparison.Ordinal));
        Assert.Contains($"throughput 1 thread:{one:F0} 2 threads:{two:F0} (medians of 1 pairs of 0.2 s slices)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_json_of_both_designs_is_valid_with_the_trace_counts()
    {
        var (code, output, _) = CliRun.Smmulab("replay", Trace("nic-like.trace"), "--design", "both", "--json", "-");

        Assert.Equal(ExitCodes.Success, code);
        var root = JsonSchemas.AssertValid("replay", output);
        var runs = root.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["legacy", "linux"], runs.Select(r => r.GetProperty("design").GetString()));
        var (_, text, _) = CliRun.Smmulab("replay", Trace("nic-like.trace"));
        var lines = Regex.Match(text, @"^trace: (\d+) lines, (\d+) events", RegexOptions.Multiline);
        var trace = runs[1].GetProperty("trace");
        Assert.Equal(long.Parse(lines.Groups[1].Value), trace.GetProperty("lines").GetInt64());
        Assert.Equal(long.Parse(lines.Groups[2].Value), trace.GetProperty("events").GetInt64());
        Assert.Equal("complete", runs[1].GetProperty("end").GetString());
        var cost = runs[1].GetProperty("cost");
        var byOperation = runs[1].GetProperty("by_operation").EnumerateArray().Where(o => o.GetProperty("operation").GetString() != "setup");
        Assert.Equal(cost.GetProperty("commands").GetInt64(), byOperation.Sum(o => o.GetProperty("commands").GetInt64()));
    }

    [Fact]
    public void The_schemas_refuse_a_document_that_lacks_a_field()
    {
        var (_, output, _) = CliRun.Smmulab("run", "--json", "-");
        var broken = output.Replace("\"steps_passed\"", "\"steps_passd\"", StringComparison.Ordinal);

        Assert.NotEmpty(JsonSchemas.Errors("run", JsonDocument.Parse(broken).RootElement));
    }

    [Fact]
    public void A_json_report_over_the_scenario_is_refused_before_the_run()
    {
        using var dir = new TempDirectory("smmulab-json");
        var scenario = dir.Write("s.toml", File.ReadAllText(Scenario("basic-s1.toml")));

        var (code, output, error) = CliRun.Smmulab("compare", scenario, "--json", scenario);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Empty(output);
        Assert.Contains("the JSON report would replace an input of this run", error, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(Scenario("basic-s1.toml")), File.ReadAllText(scenario));
    }

    [Fact]
    public void Two_outputs_to_one_file_are_refused_before_the_run()
    {
        using var dir = new TempDirectory("smmulab-json");
        var same = dir.PathOf("out.json");

        CliRun.AssertUsageError(CliRun.Smmulab("run", "--json", same, "--perfetto", same), "named by both --json and --perfetto");
        Assert.False(File.Exists(same));
    }
}
