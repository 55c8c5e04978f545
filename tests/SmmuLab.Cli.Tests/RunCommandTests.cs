using System.Text.Json;
using SmmuLab.Scenarios;
using SmmuLab.TestSupport.Scenarios;

namespace SmmuLab.Cli.Tests;

/// <summary><c>smmulab run [SCENARIO] [--trace FILE]</c>.</summary>
public sealed class RunCommandTests : IDisposable
{
    private static readonly string Valid = new ScenarioBuilder()
        .Smmu("smmu0", "s1")
        .Device("nic", [0x20])
        .Domain("dom", "s1")
        .Attach("nic", "dom")
        .Dma("nic", 0x10000, 0x1000, "read", expect: "ok")
        .ToToml();

    private readonly TempDirectory dir = new("smmulab-run-");

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_malformed_scenario_exits_2_with_file_line_and_key()
    {
        var bad = Write("bad.toml", Valid.Replace("sids = [0x20]", "sid = [0x20]", StringComparison.Ordinal));

        var (code, output, error) = Run(SmmulabApp.DefaultMachineFactory, "run", bad);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.StartsWith($"smmulab: {bad}:6: device[0].sid: unknown key (did you mean 'sids'?)", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_TOML_syntax_error_exits_2()
    {
        var bad = Write("syntax.toml", "[[smmu]\nname = \"x\"\n");

        var (code, _, error) = Run(SmmulabApp.DefaultMachineFactory, "run", bad);

        Assert.Equal(2, code);
        Assert.StartsWith($"smmulab: {bad}:1: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_exits_2()
    {
        var (code, _, error) = Run(SmmulabApp.DefaultMachineFactory, "run", dir.PathOf("nope.toml"));

        Assert.Equal(2, code);
        Assert.Contains("cannot read the scenario", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scenario_runs_on_the_factorys_machine_and_writes_a_trace()
    {
        StubScenarioMachine? machine = null;
        var trace = dir.PathOf("trace.jsonl");

        var (code, output, error) = Run(s => machine = new StubScenarioMachine(s), "run", Write("ok.toml", Valid), "--trace", trace, "--free-running");

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.NotNull(machine);
        Assert.True(machine.Disposed);
        Assert.Equal(["smmu smmu0 mode=free-running", "device nic", "domain dom", "attach nic dom", "dma nic"], machine.Calls);
        Assert.Contains("2 steps: 2 passed, 0 failed", output, StringComparison.Ordinal);
        Assert.Contains("smmu0:", output, StringComparison.Ordinal);
        var kinds = File.ReadAllLines(trace).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("kind").GetString());
        Assert.Equal(["step", "dma", "step"], kinds);
    }

    [Fact]
    public void A_failed_expectation_exits_1()
    {
        var (code, output, error) = Run(s => new StubScenarioMachine(s, faultAll: true), "run", Write("ok.toml", Valid));

        Assert.Equal(1, code);
        Assert.Contains("FAIL: expected ok, got fault (F_TRANSLATION)", output, StringComparison.Ordinal);
        Assert.Contains("1 of 2 steps failed", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oracle_violation_exits_1_and_is_traced()
    {
        var trace = dir.PathOf("trace.jsonl");

        var (code, output, error) = Run(s => new StubScenarioMachine(s, leakDma: true), "run", Write("ok.toml", Valid), "--trace", trace);

        Assert.Equal(1, code); // every step met its expectation: the oracle alone fails the run
        Assert.Contains("2 steps: 2 passed, 0 failed", output, StringComparison.Ordinal);
        Assert.Contains("oracle: 1 DMA pages checked, 1 stale-translation violations", output, StringComparison.Ordinal);
        Assert.Contains("VIOLATION (unmapped) step #1: nic sid 0x0 read iova 0x10000 -> pa 0x10000", output, StringComparison.Ordinal);
        Assert.Contains("1 stale-translation violations", error, StringComparison.Ordinal);
        Assert.DoesNotContain("steps failed", error, StringComparison.Ordinal);
        var kinds = File.ReadAllLines(trace).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("kind").GetString());
        Assert.Equal(["step", "violation", "dma", "step"], kinds);
    }

    [Fact]
    public void The_driver_backed_default_scenario_passes_the_oracle()
    {
        var (code, output, error) = Run(SmmulabApp.DefaultMachineFactory, "run");

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Matches(@"oracle: [1-9]\d* DMA pages checked, 0 stale-translation violations", output);
    }

    [Fact]
    public void No_scenario_with_a_machine_runs_the_embedded_default()
    {
        StubScenarioMachine? machine = null;

        var (code, output, _) = Run(s => machine = new StubScenarioMachine(s), "run");

        Assert.Equal(1, code); // the stub never faults, so the default's two "expect = fault" steps fail
        Assert.Equal(ScenarioParser.DefaultScenarioPath, machine!.Scenario.Path);
        Assert.Contains("scenario <default>", output, StringComparison.Ordinal);
    }

    private string Write(string name, string text) => dir.Write(name, text);

    private static (int Code, string Out, string Err) Run(Func<Scenario, IScenarioMachine> factory, params string[] args) =>
        CliRun.Smmulab(factory, args);
}
