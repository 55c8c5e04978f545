using SmmuLab.TestSupport.Scenarios;

namespace SmmuLab.Cli.Tests;

/// <summary><c>smmulab replay TRACE [--machine SCENARIO] [--design ...] [--mode ...] [--cpus N]</c>.</summary>
public sealed class ReplayCommandTests : IDisposable
{
    private const string Header = "# tracer: nop\n#\n# entries-in-buffer/entries-written: 6/6   #P:2\n#\n";

    /// <summary>Three 4 KiB maps on CPU 0, then their unmaps (lines 5 to 10).</summary>
    private const string ThreeAndThree =
        "             fio-100     [000] .....  1000.000000: dma_map_page: 0000:01:00.0 dir=FROM_DEVICE dma_addr=fffff000 size=4096 phys_addr=800001000 attrs=\n" +
        "             fio-100     [000] .....  1000.000010: dma_map_page: 0000:01:00.0 dir=FROM_DEVICE dma_addr=ffffe000 size=4096 phys_addr=800002000 attrs=\n" +
        "             fio-100     [000] .....  1000.000020: dma_map_page: 0000:01:00.0 dir=FROM_DEVICE dma_addr=ffffd000 size=4096 phys_addr=800003000 attrs=\n" +
        "             fio-100     [000] .....  1000.000030: dma_unmap_page: 0000:01:00.0 dir=FROM_DEVICE dma_addr=fffff000 size=4096 attrs=\n" +
        "             fio-100     [000] .....  1000.000040: dma_unmap_page: 0000:01:00.0 dir=FROM_DEVICE dma_addr=ffffe000 size=4096 attrs=\n" +
        "             fio-100     [000] .....  1000.000050: dma_unmap_page: 0000:01:00.0 dir=FROM_DEVICE dma_addr=ffffd000 size=4096 attrs=\n";

    private static readonly string AtsMachine = new ScenarioBuilder()
        .Invalidation("legacy")
        .Smmu("smmu0", "s1", "ril", "ats", "msi", "sev")
        .Device("0000:01:00.0", [0x20], ats: true)
        .Domain("nvme-dom", "s1", asid: 9)
        .Attach("0000:01:00.0", "nvme-dom")
        .ToToml();

    private readonly TempDirectory dir = new("smmulab-replay-");

    public void Dispose() => dir.Dispose();

    [Fact]
    public void An_example_trace_replays_with_its_cost_per_second_and_exit_0()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "traces", "nvme-like.trace");

        var (code, output, error) = Run("replay", path);

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.StartsWith($"replay: {path} on machine embedded default (4 CPUs, from the trace's header)\n", output, StringComparison.Ordinal);
        Assert.Contains("  created 1 device with a stage-1 domain each: 0000:01:00.0 (SMMU smmu0, StreamID 0x100)\n", output, StringComparison.Ordinal);
        Assert.Contains("design linux, mode strict\n", output, StringComparison.Ordinal);
        Assert.Contains("| TLBI | 700 | 174694.3 |\n", output, StringComparison.Ordinal);
        Assert.Contains("| CMD_SYNC | 700 | 174694.3 |\n", output, StringComparison.Ordinal);
        Assert.Contains("| unmap | 538 | 1076 | 538 | 538 | 0 |", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Three_strict_unmaps_then_deferred_with_the_timer_falling_due()
    {
        var late = "             fio-100     [000] .....  1000.020000: dma_sync_single_for_cpu: 0000:01:00.0 dir=FROM_DEVICE dma_addr=fffff000 size=64\n";
        var path = Write("three.trace", Header + ThreeAndThree + late);

        var (strictCode, strict, _) = Run("replay", path);
        var (deferredCode, deferred, _) = Run("replay", path, "--mode", "deferred");

        Assert.Equal((0, 0), (strictCode, deferredCode));
        Assert.Contains("| TLBI | 3 | 150.0 |\n", strict, StringComparison.Ordinal);
        Assert.Contains("| CMD_SYNC | 3 | 150.0 |\n", strict, StringComparison.Ordinal);
        Assert.Contains("addresses matching the trace: 3 of 3 (100.0%)", strict, StringComparison.Ordinal);
        Assert.Contains("design linux, mode deferred\n", deferred, StringComparison.Ordinal);
        Assert.Contains("| CMD_SYNC | 1 | 50.0 |\n", deferred, StringComparison.Ordinal);
        Assert.Contains("| timer flush | 1 | 2 | 1 | 1 | 0 |", deferred, StringComparison.Ordinal);
        Assert.Contains("flush queue: 1 flushes (0 ring full, 1 timer), 0 entries left queued", deferred, StringComparison.Ordinal);
    }

    [Fact]
    public void Design_both_prints_the_side_by_side_comparison()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "traces", "nic-like.trace");

        var (code, output, error) = Run("replay", path, "--design", "both");

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Contains("mode strict; designs compared: legacy, linux\n", output, StringComparison.Ordinal);
        Assert.Contains("| operation | legacy cmds | legacy syncs | legacy time (us) | linux cmds | linux syncs | linux time (us) | cmds ratio | syncs ratio | time ratio |", output, StringComparison.Ordinal);
        Assert.Contains("| unmap | 1204 | 602 |", output, StringComparison.Ordinal);
        Assert.Contains("| per second of trace | legacy | linux | ratio |", output, StringComparison.Ordinal);
        Assert.Contains("\nlegacy: 860 maps, 602 unmaps replayed", output, StringComparison.Ordinal);
        Assert.Contains("\nlinux: 860 maps, 602 unmaps replayed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_devices_are_matched_to_the_machines_devices_by_name()
    {
        var machine = Write("ats.toml", AtsMachine);
        var path = Write("three.trace", Header + ThreeAndThree);

        var (code, output, _) = Run("replay", path, "--machine", machine);

        Assert.Equal(0, code);
        Assert.StartsWith($"replay: {path} on machine {machine} (2 CPUs", output, StringComparison.Ordinal);
        Assert.DoesNotContain("created", output, StringComparison.Ordinal);
        Assert.Contains("design legacy, mode strict\n", output, StringComparison.Ordinal);
        Assert.Contains("| ATC_INV | 3 |", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_the_machine_lacks_is_created_and_reported()
    {
        var machine = Write("other.toml", AtsMachine.Replace("0000:01:00.0", "0000:02:00.0", StringComparison.Ordinal));
        var path = Write("three.trace", Header + ThreeAndThree);

        var (code, output, _) = Run("replay", path, "--machine", machine);

        Assert.Equal(0, code);
        Assert.Contains("  created 1 device with a stage-1 domain each: 0000:01:00.0 (SMMU default, StreamID 0x100)\n", output, StringComparison.Ordinal);
        Assert.Contains("| ATC_INV | 0 |", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_line_is_reported_with_its_number_and_the_replay_goes_on_exit_1()
    {
        var lines = ThreeAndThree.Split('\n');
        var path = Write("corrupt.trace", Header + string.Join('\n', lines[..2]) + "\n\u0001\u0002 garbage\n" + string.Join('\n', lines[2..]));

        var (code, output, error) = Run("replay", path);

        Assert.Equal(1, code);
        Assert.Equal($"smmulab: {path}:7: 1 lines of binary data or control characters (corrupt file)\n", error);
        Assert.Contains("DMA API: 3 maps", output, StringComparison.Ordinal);
        Assert.Contains("  Garbage: 1\n    line 7 (", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_trace_prints_the_partial_result_and_exits_1()
    {
        var text = Header + ThreeAndThree;
        var path = Write("cut.trace", text[..(text.Length - 25)]);

        var (code, output, error) = Run("replay", path);

        Assert.Equal(1, code);
        Assert.Equal($"smmulab: {path}:10: the trace is truncated (its last line was cut); the result covers the lines before it\n", error);
        Assert.Contains("DMA API: 3 maps (3 single, 0 sg, 0 coherent), 2 unmaps", output, StringComparison.Ordinal);
        Assert.Contains("the trace is truncated: line 10 was cut", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_of_other_events_are_reported_but_do_not_fail()
    {
        var other = "             fio-100     [000] .....  1000.000001: sched_switch: prev_comm=fio prev_pid=100 next_comm=swapper next_pid=0\n";
        var path = Write("mixed.trace", Header + other + ThreeAndThree);

        var (code, output, error) = Run("replay", path);

        Assert.Equal(0, code);
        Assert.Equal($"smmulab: {path}:5: 1 lines not understood (first: event not modelled)\n", error);
        Assert.Contains("  UnsupportedEvent: 1\n    line 5 (event not modelled)", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--design", "newest")]
    [InlineData("--mode", "lazy")]
    [InlineData("--cpus", "0")]
    public void Bad_options_exit_2_with_one_line(string option, string value)
    {
        var path = Write("three.trace", Header + ThreeAndThree);

        CliRun.AssertUsageError(Run("replay", path, option, value));
    }

    [Fact]
    public void A_missing_trace_exits_2_naming_the_file()
    {
        var path = dir.PathOf("nope.trace");

        var (code, output, error) = Run("replay", path);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.StartsWith($"smmulab: {path}: cannot read the trace: ", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_bad_machine_exits_2_with_file_and_line()
    {
        var machine = Write("bad.toml", AtsMachine.Replace("sids = [0x20]", "sid = [0x20]", StringComparison.Ordinal));
        var path = Write("three.trace", Header + ThreeAndThree);

        var (code, output, error) = Run("replay", path, "--machine", machine);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.StartsWith($"smmulab: {machine}:7: device[0].sid: unknown key", error, StringComparison.Ordinal);
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRun.Smmulab(args);

    private string Write(string name, string text) => dir.Write(name, text);
}
