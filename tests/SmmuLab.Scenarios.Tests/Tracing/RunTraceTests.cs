using System.Text.Json;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Reporting;
using SmmuLab.Tracing;

namespace SmmuLab.Scenarios.Tests.Tracing;

/// <summary>The trace of a scenario run: one object per record, stamped with the runner's step index.</summary>
public class RunTraceTests
{
    [Theory]
    [InlineData(ConsumptionMode.Inline)]
    [InlineData(ConsumptionMode.FreeRunning)]
    public void Trace_of_a_real_SMMU_has_one_valid_object_per_record_with_the_runners_step_index(ConsumptionMode mode)
    {
        var scenario = ScenarioParser.Parse(ScenarioText.TraceScenario, "trace.toml");
        using var stream = new MemoryStream();
        ScenarioReport report;
        using (var trace = new TraceWriter(stream, leaveOpen: true))
        using (var machine = new HandProgrammedScenarioMachine())
        {
            report = new ScenarioRunner(machine, new ScenarioRunOptions { Trace = trace, Mode = mode }).Run(scenario);
        }

        Assert.True(report.Succeeded, report.Format());
        var records = Lines(stream).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        foreach (var r in records)
        {
            Assert.Equal(JsonValueKind.Number, r.GetProperty("step").ValueKind);
            Assert.Equal(JsonValueKind.String, r.GetProperty("kind").ValueKind);
        }

        var steps = records.Select(r => r.GetProperty("step").GetInt32()).ToList();
        Assert.Equal(steps.Order(), steps); // in order, probe first

        var commands = records.Where(r => Kind(r) == "command").ToList();
        var smmu = report.Smmus[0];
        Assert.Equal(smmu.CommandCount - 3, commands.Count); // all but the reset's CFGI_ALL, TLBI_NSNH_ALL and SYNC, consumed before SmmuBuilt
        foreach (var c in commands)
        {
            Assert.Equal("smmu0", c.GetProperty("smmu").GetString());
            Assert.Equal("cmdq", c.GetProperty("queue").GetString());
            Assert.StartsWith("0x", c.GetProperty("dw0").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("0x", c.GetProperty("dw1").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("CMD_", c.GetProperty("op").GetString(), StringComparison.Ordinal);
        }

        // Probe (-1): CFGI_ALL as CFGI_STE_RANGE range 31, TLBI_NSNH_ALL, CMD_SYNC.
        Assert.Equal(["CFGI_STE_RANGE", "TLBI_NSNH_ALL", "SYNC"], Ops(commands, -1));
        Assert.Equal("0x1f", commands.First(c => Op(c) == "CFGI_STE_RANGE").GetProperty("range").GetString());

        // attach nic (0): CFGI_STE sid 0x20; attach gpu (1): sid 0x30; unmap (4): TLBI_NH_ASID asid 5.
        Assert.Equal(["CFGI_STE", "SYNC"], Ops(commands, 0));
        Assert.Equal("0x20", commands.First(c => Step(c) == 0).GetProperty("sid").GetString());
        Assert.Equal("0x30", commands.First(c => Step(c) == 1).GetProperty("sid").GetString());
        var tlbi = Assert.Single(commands, c => Step(c) == 4 && Op(c) == "TLBI_NH_ASID");
        Assert.Equal(("0x5", "0x0"), (tlbi.GetProperty("asid").GetString(), tlbi.GetProperty("vmid").GetString()));
        var sync = commands.First(c => Op(c) == "SYNC");
        Assert.Equal("0x1", sync.GetProperty("cs").GetString());
        Assert.True(sync.TryGetProperty("msiaddr", out _));

        // DMA records for steps 3, 5, 6; events for the two faults.
        var dmas = records.Where(r => Kind(r) == "dma").ToList();
        Assert.Equal([3, 5, 6], dmas.Select(Step));
        Assert.True(dmas[0].GetProperty("ok").GetBoolean());
        Assert.Equal("0x3000", dmas[0].GetProperty("bytes").GetString());
        Assert.Equal(("write", false, "F_TRANSLATION"), (dmas[1].GetProperty("access").GetString(), dmas[1].GetProperty("ok").GetBoolean(), dmas[1].GetProperty("fault").GetString()));
        var events = records.Where(r => Kind(r) == "event").ToList();
        Assert.Equal([5, 6], events.Select(Step));
        Assert.Equal(("F_TRANSLATION", "0x20", "0x11000"), (events[0].GetProperty("type").GetString(), events[0].GetProperty("sid").GetString(), events[0].GetProperty("addr").GetString()));
        Assert.Equal(("0x30", true), (events[1].GetProperty("sid").GetString(), events[1].GetProperty("s2").GetBoolean()));

        // One step record per step, last in its step.
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], records.Where(r => Kind(r) == "step").Select(Step));
    }

    private static List<string> Lines(MemoryStream stream) =>
        [.. System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    private static string? Kind(JsonElement r) => r.GetProperty("kind").GetString();

    private static string? Op(JsonElement r) => r.GetProperty("op").GetString();

    private static int Step(JsonElement r) => r.GetProperty("step").GetInt32();

    private static List<string?> Ops(List<JsonElement> commands, int step) => [.. commands.Where(c => Step(c) == step).Select(Op)];
}
