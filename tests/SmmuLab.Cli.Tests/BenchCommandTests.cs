using System.Globalization;
using System.Text.RegularExpressions;
using SmmuLab.Cli.Commands;
using SmmuLab.Driver.Dma;
using SmmuLab.Machines.Bench;
using SmmuLab.TestSupport.Scenarios;

namespace SmmuLab.Cli.Tests;

/// <summary><c>smmulab bench</c>: output lines, designs, machines and refused input.</summary>
public partial class BenchCommandTests
{
    private const string Number = @"(-?\d+(?:\.\d+)?)";

    private static (int Code, string Out, string Err) Short(DmaMapBenchmarkOptions options, IReadOnlyList<string>? designs = null, string? machine = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var duration = options.MaxLoopsPerThread is null ? TimeSpan.FromMilliseconds(150) : TimeSpan.FromSeconds(30);
        var code = BenchCommand.Run(new BenchRequest(options with { Duration = duration }, designs, machine), output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string Line(string text, string prefix) =>
        text.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));

    private static double Value(string line, string key)
    {
        var m = Regex.Match(line, Regex.Escape(key) + Number);
        Assert.True(m.Success, $"no '{key}' number in: {line}");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^dma mapping benchmark: threads:\d+ seconds:\d+ node:-1 dir:(BIDIRECTIONAL|TO_DEVICE|FROM_DEVICE) granule: \d+$")]
    private static partial Regex Header();

    [GeneratedRegex(@"^average (map|unmap) latency\(us\):\d+\.\d standard deviation:\d+\.\d$")]
    private static partial Regex Latency();

    /// <summary>Every line of one block, each number parsed; returns the CMD_SYNCs per map+unmap.</summary>
    private static double AssertBlock(string[] lines, string design, string mode)
    {
        Assert.Matches(Header(), lines[0]);
        Assert.Matches(Latency(), lines[1]);
        Assert.StartsWith("average map", lines[1], StringComparison.Ordinal);
        Assert.Matches(Latency(), lines[2]);
        Assert.StartsWith("average unmap", lines[2], StringComparison.Ordinal);
        Assert.StartsWith($"design:{design} mode:{mode} device:dev0 smmu:smmu0 dma_trans_ns:0 ", lines[3], StringComparison.Ordinal);
        Assert.True(Value(lines[3], "wall time(s):") > 0);
        var loops = Value(lines[3], "loops:");
        Assert.True(loops > 0);
        Assert.StartsWith("throughput(map+unmap/s):", lines[4], StringComparison.Ordinal);
        Assert.True(Value(lines[4], "throughput(map+unmap/s):") > 0);
        Assert.True(Value(lines[4], "per thread:") > 0);
        Assert.True(Value(lines[4], "min:") <= Value(lines[4], "max:"));
        Assert.StartsWith("commands per map+unmap:", lines[5], StringComparison.Ordinal);
        Assert.True(Value(lines[5], "commands per map+unmap:") > 0);
        var syncs = Value(lines[5], "CMD_SYNC per map+unmap:");
        Assert.True(Value(lines[6], "modeled SMMU time per map+unmap(ns):") > 0);
        var next = 7;
        if (mode == "deferred")
        {
            var flushes = lines[next++];
            Assert.Equal(Value(flushes, "flush queue flushes:"), Value(flushes, "full:") + Value(flushes, "timeout:") + Value(flushes, "teardown:"));
        }

        Assert.True(Value(lines[next], "iova allocations:") == loops);
        Assert.InRange(Value(lines[next], "range cache hits:"), 0, 100);
        return syncs;
    }

    [Fact]
    public void Strict_prints_every_line_and_one_sync_per_unmap()
    {
        var (code, output, error) = Short(new DmaMapBenchmarkOptions());
        Assert.Equal(0, code);
        Assert.Empty(error);
        var lines = output.Split('\n');
        Assert.Equal(9, lines.Length);
        Assert.Equal("", lines[^1]);
        Assert.Equal(1.0, AssertBlock(lines, "linux", "strict"));
        Assert.Contains("(CMD_TLBI_NH_VA 1.0000, CMD_SYNC 1.0000)", lines[5], StringComparison.Ordinal);
    }

    [Fact]
    public void Deferred_gives_far_fewer_syncs_per_operation()
    {
        // A fixed number of loops, so a slow machine's timer flushes cannot outnumber the ring's.
        var (code, output, _) = Short(new DmaMapBenchmarkOptions { Type = DmaDomainType.DmaFq, MaxLoopsPerThread = 3000 });
        Assert.Equal(0, code);
        var syncs = AssertBlock(output.Split('\n'), "linux", "deferred");
        Assert.True(syncs < 0.05, $"{syncs} CMD_SYNC per map+unmap");
    }

    [Fact]
    public void Both_designs_print_two_blocks_legacy_first()
    {
        var (code, output, _) = Short(new DmaMapBenchmarkOptions(), ["legacy", "linux"]);
        Assert.Equal(0, code);
        var blocks = output.Split("\n\n");
        Assert.Equal(2, blocks.Length);
        Assert.Equal(1.0, AssertBlock(blocks[0].Split('\n'), "legacy", "strict"));
        Assert.Equal(1.0, AssertBlock(blocks[1].Split('\n'), "linux", "strict"));
    }

    [Fact]
    public void A_CMDQV_machine_shows_one_VCMDQ_per_thread()
    {
        using var dir = new TempDirectory("smmulab-bench-");
        var path = dir.Write("cmdqv.toml", new ScenarioBuilder().Smmu("smmu0", "s1", "ril").Cmdqv().Device("nic", [0x20]).ToToml());
        var (code, output, error) = Short(new DmaMapBenchmarkOptions { Threads = 2 }, machine: path);

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Contains("design:linux mode:strict device:nic smmu:smmu0 ", output, StringComparison.Ordinal);
        var queues = Line(output, "commands per queue: ");
        var counts = Regex.Matches(queues, @"vcmdq\d+ (\d+)").Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, counts.Count);
        Assert.All(counts, n => Assert.True(n > 0));
        Assert.EndsWith(", cmdq 0", queues, StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_line_runs_for_the_seconds_asked()
    {
        var (code, output, error) = CliRun.Smmulab("bench", "--seconds", "1", "--granule", "2", "--dir", "from-device", "--design", "legacy");
        Assert.Equal(0, code);
        Assert.Empty(error);
        var lines = output.Split('\n');
        Assert.Equal("dma mapping benchmark: threads:1 seconds:1 node:-1 dir:FROM_DEVICE granule: 2", lines[0]);
        Assert.InRange(Value(lines[3], "wall time(s):"), 1.0, 30.0);
        Assert.Equal(1.0, AssertBlock(lines, "legacy", "strict"));
    }

    [Theory]
    [InlineData(new[] { "--threads", "0" }, "invalid number of threads, must be in 1-1024")]
    [InlineData(new[] { "--threads", "1025" }, "invalid number of threads, must be in 1-1024")]
    [InlineData(new[] { "--seconds", "0" }, "invalid number of seconds, must be in 1-300")]
    [InlineData(new[] { "--seconds", "301" }, "invalid number of seconds, must be in 1-300")]
    [InlineData(new[] { "--granule", "0" }, "invalid granule size, must be in 1-1024")]
    [InlineData(new[] { "--granule", "1025" }, "invalid granule size, must be in 1-1024")]
    [InlineData(new[] { "--dma-trans-ns", "10000001" }, "invalid transmit delay, must be in 0-10000000")]
    [InlineData(new[] { "--dir", "sideways" }, "invalid dma direction 'sideways' (expected bidirectional, to-device or from-device)")]
    [InlineData(new[] { "--mode", "lazy" }, "invalid mode 'lazy' (expected strict or deferred)")]
    [InlineData(new[] { "--design", "new" }, "invalid design 'new' (expected linux, legacy or both)")]
    [InlineData(new[] { "--threads", "many" }, "'many'")]
    [InlineData(new[] { "--frobnicate" }, "'--frobnicate'")]
    [InlineData(new[] { "--machine", "/nonexistent/machine.toml" }, "/nonexistent/machine.toml: cannot read the scenario")]
    public void Bad_input_exits_2_with_one_line(string[] args, string message) =>
        CliRun.AssertUsageError(CliRun.Smmulab(["bench", .. args]), message);

    [Fact]
    public void A_machine_without_devices_exits_2()
    {
        using var dir = new TempDirectory("smmulab-bench-");
        var path = dir.Write("empty.toml", new ScenarioBuilder().Smmu("smmu0", "s1").ToToml());
        var (code, output, error) = CliRun.Smmulab("bench", "--machine", path);
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Equal($"smmulab: {path}: the machine has no [[device]] to map for\n", error);
    }

    [Fact]
    public void Requests_take_the_machines_design_unless_one_is_named()
    {
        var request = BenchCommand.CreateRequest(4, 3, 8, "TO-DEVICE", "Deferred", null, "m.toml", 100);
        Assert.True(request.IsSuccess, request.Error);
        Assert.Null(request.Value.Designs);
        Assert.Equal("m.toml", request.Value.MachinePath);
        Assert.Equal(new DmaMapBenchmarkOptions
        {
            Threads = 4,
            Duration = TimeSpan.FromSeconds(3),
            Granule = 8,
            Direction = DmaDirection.ToDevice,
            Type = DmaDomainType.DmaFq,
            DmaTransNs = 100,
        }, request.Value.Options);
        Assert.Equal(["legacy", "linux"], BenchCommand.CreateRequest(1, 1, 1, "bidirectional", "strict", "both", null, 0).Value.Designs);
        Assert.Equal(["linux"], BenchCommand.CreateRequest(1, 1, 1, "bidirectional", "strict", "LINUX", null, 0).Value.Designs);
    }

    [Fact]
    public void Scaling_is_refused_with_one_thread_and_absent_unless_asked_for()
    {
        var refused = BenchCommand.CreateRequest(1, 1, 1, "bidirectional", "strict", null, null, 0, scaling: true);
        Assert.False(refused.IsSuccess);
        Assert.Equal("--scaling compares 1 thread with N: give --threads 2 or more", refused.Error);
        Assert.True(BenchCommand.CreateRequest(2, 1, 1, "bidirectional", "strict", null, null, 0, scaling: true).Value.Scaling);

        var (code, output, _) = Short(new DmaMapBenchmarkOptions { Threads = 2 });
        Assert.Equal(0, code);
        Assert.DoesNotContain("scaling", output, StringComparison.Ordinal);
    }
}
