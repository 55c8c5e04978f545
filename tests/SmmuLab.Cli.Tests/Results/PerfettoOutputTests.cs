using System.Text.Json;

namespace SmmuLab.Cli.Tests.Results;

/// <summary><c>run --perfetto</c>: a Chrome trace-event document the Perfetto UI opens, on modeled time.</summary>
public class PerfettoOutputTests
{
    private static string Scenario(string name) => Path.Combine(AppContext.BaseDirectory, "scenarios", name);

    private static (int Code, string Text, TraceSummary Trace, string Json) Run(params string[] args)
    {
        using var dir = new TempDirectory("smmulab-perfetto");
        var path = dir.PathOf("trace.json");
        var (code, text, _) = CliRun.Smmulab([.. args, "--perfetto", path]);
        var json = File.ReadAllText(path);
        return (code, text, TraceEventChecker.Check(json), json);
    }

    [Fact]
    public void The_default_run_has_a_slice_per_command_and_page_of_dma_on_its_tracks()
    {
        var (code, text, trace, json) = Run("run");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("smmu0", trace.ProcessNames[1]);
        Assert.Equal(["cmdq", "gpu", "nic", "steps"], trace.ThreadNames.Where(t => t.Key.Pid == 1).Select(t => t.Value).Order());

        // Every command the report counts, once, on the CMDQ (teardown adds its own after the report).
        var report = JsonDocument.Parse(CliRun.Smmulab("run", "--json", "-").Out).RootElement;
        var commands = trace.On("smmu0", "cmdq").ToList();
        var reported = report.GetProperty("smmus")[0].GetProperty("commands").GetInt64();
        Assert.True(commands.Count >= reported, $"{commands.Count} command slices, {reported} commands reported");
        var syncs = report.GetProperty("smmus")[0].GetProperty("cmd_syncs").GetInt64();
        Assert.True(commands.Count(c => c.Category == "sync") >= syncs);
        Assert.All(commands.Where(c => c.Category == "sync"), c => Assert.Equal("CMD_SYNC", c.Name));

        // DMA: the default scenario moves 0x23000 bytes for each of nic and gpu in its DMA steps (35 pages each, some twice).
        Assert.Contains(trace.On("smmu0", "nic"), s => s.Name == "DMA read" && s.Category == "dma");
        Assert.Contains(trace.On("smmu0", "gpu"), s => s.Name == "DMA write" && s.Category == "dma");
        Assert.Contains(trace.Slices, s => s.Category == "fault");

        // Steps: setup, each of the 16 steps, teardown.
        var steps = trace.On("smmu0", "steps").Select(s => s.Name).ToList();
        Assert.Equal("setup", steps[0]);
        Assert.Equal("#0 attach", steps[1]);
        Assert.Equal("teardown", steps[^1]);
        Assert.Equal(18, steps.Count);

        Assert.Contains((1, "cmdq depth"), trace.Counters);
        Assert.Contains((1, "TLB entries"), trace.Counters);
        Assert.Contains("ok", text, StringComparison.Ordinal);
        Assert.StartsWith("{\"displayTimeUnit\":\"ns\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cmdqv_run_has_a_track_per_vcmdq_that_consumed_commands()
    {
        var (code, _, trace, _) = Run("run", Scenario("cmdqv.toml"));

        Assert.Equal(ExitCodes.Success, code);
        var vcmdqs = trace.ThreadNames.Values.Where(n => n.StartsWith("vcmdq", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(vcmdqs);
        foreach (var q in vcmdqs)
        {
            var pid = trace.ThreadNames.First(t => t.Value == q).Key.Pid;
            Assert.NotEmpty(trace.On(trace.ProcessNames[pid], q));
            Assert.Contains((pid, $"{q} depth"), trace.Counters);
        }
    }

    [Fact]
    public void Several_smmus_are_processes_of_their_own()
    {
        var (code, _, trace, _) = Run("run", Scenario("multi-smmu-shared.toml"));

        Assert.Equal(ExitCodes.Success, code);
        Assert.True(trace.ProcessNames.Count >= 2);
        Assert.Equal(trace.ProcessNames.Count, trace.ProcessNames.Values.Distinct().Count());
        Assert.All(trace.ProcessNames.Keys, pid => Assert.Contains(trace.Slices, s => s.Track.Pid == pid && s.Category == "command"));
    }

    [Fact]
    public void A_free_running_run_is_well_formed_too()
    {
        var (code, _, trace, _) = Run("run", Scenario("basic-s1.toml"), "--free-running");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains(trace.Slices, s => s.Category == "sync");
    }

    [Fact]
    public void A_workload_on_several_threads_keeps_every_track_in_order()
    {
        var (code, _, trace, _) = Run("run", Scenario("workloads/nic-lazy.toml"));

        Assert.Equal(ExitCodes.Success, code);
        Assert.True(trace.Slices.Count(s => s.Category == "dma") > 1000);
        Assert.Contains(trace.Counters, c => c.Name == "TLB entries");
    }

    [Theory]
    [InlineData("{\"name\":\"a\",\"ph\":\"X\",\"pid\":1,\"tid\":2,\"ts\":1,\"dur\":2},{\"name\":\"b\",\"ph\":\"X\",\"pid\":1,\"tid\":2,\"ts\":2,\"dur\":2}")]
    [InlineData("{\"name\":\"a\",\"ph\":\"X\",\"pid\":1,\"tid\":2,\"ts\":5,\"dur\":1},{\"name\":\"b\",\"ph\":\"X\",\"pid\":1,\"tid\":2,\"ts\":4,\"dur\":0}")]
    [InlineData("{\"name\":\"a\",\"ph\":\"E\",\"pid\":1,\"tid\":2,\"ts\":5}")]
    [InlineData("{\"name\":\"a\",\"ph\":\"X\",\"pid\":1,\"tid\":3,\"ts\":5,\"dur\":1}")]
    public void The_checker_refuses_overlapping_backward_unmatched_or_unnamed_events(string events)
    {
        var document = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":2,\"args\":{\"name\":\"cmdq\"}},"
            + events + "]}";

        Assert.ThrowsAny<Exception>(() => TraceEventChecker.Check(document));
    }

    [Fact]
    public void A_replay_of_both_designs_has_a_process_per_design_and_smmu()
    {
        using var dir = new TempDirectory("smmulab-perfetto");
        var path = dir.PathOf("replay.json");
        var trace = Path.Combine(AppContext.BaseDirectory, "traces", "nic-like.trace");

        var (code, _, _) = CliRun.Smmulab("replay", trace, "--design", "both", "--perfetto", path);

        Assert.Equal(ExitCodes.Success, code);
        var summary = TraceEventChecker.Check(File.ReadAllText(path));
        Assert.Equal(["legacy smmu0", "linux smmu0"], summary.ProcessNames.Values.Order());
        var (_, json, _) = CliRun.Smmulab("replay", trace, "--design", "both", "--json", "-");
        var runs = JsonDocument.Parse(json).RootElement.GetProperty("runs");
        foreach (var run in runs.EnumerateArray())
        {
            // Every command of the replay, and of the setup after the probe (the exporter attaches once the driver probed).
            var design = run.GetProperty("design").GetString();
            var slices = summary.On($"{design} smmu0", "cmdq").ToList();
            var replayed = run.GetProperty("cost").GetProperty("commands").GetInt64();
            var setup = run.GetProperty("by_operation").EnumerateArray().Single(o => o.GetProperty("operation").GetString() == "setup")
                .GetProperty("commands").GetInt64();
            Assert.InRange(slices.Count, replayed, replayed + setup);
            Assert.True(replayed > 0);
            Assert.Equal(slices.Count(s => s.Category == "sync"), slices.Count(s => s.Name == "CMD_SYNC"));
        }
    }

    [Fact]
    public void A_perfetto_trace_cannot_go_to_standard_output_nor_over_the_scenario()
    {
        CliRun.AssertUsageError(CliRun.Smmulab("run", "--perfetto", "-"), "cannot go to standard output");

        using var dir = new TempDirectory("smmulab-perfetto");
        var scenario = dir.Write("s.toml", File.ReadAllText(Scenario("basic-s1.toml")));
        CliRun.AssertUsageError(CliRun.Smmulab("run", scenario, "--perfetto", scenario), "would replace an input");
        Assert.Equal(File.ReadAllText(Scenario("basic-s1.toml")), File.ReadAllText(scenario));
    }
}
