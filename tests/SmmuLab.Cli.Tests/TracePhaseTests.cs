using System.Text.Json;
using SmmuLab.Tracing;

namespace SmmuLab.Cli.Tests;

/// <summary>
/// <c>run --trace</c>: what the machine does after the last step (its teardown) is the trace's
/// teardown phase, not the last step's (VCMDQ queue names: <see cref="VcmdqTotalsTests"/>).
/// </summary>
public class TracePhaseTests
{
    private static string Scenario(string name) => Path.Combine(AppContext.BaseDirectory, "scenarios", name);

    private static List<JsonElement> Lines(string path) =>
        [.. File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    [Fact]
    public void Teardown_commands_of_a_cmdqv_run_are_in_the_teardown_phase_not_in_the_last_step()
    {
        using var dir = new TempDirectory("smmulab-trace-phase");
        var path = dir.PathOf("t.jsonl");

        var (code, _, _) = CliRun.Smmulab("run", Scenario("cmdqv.toml"), "--trace", path);

        Assert.Equal(ExitCodes.Success, code);
        var lines = Lines(path);
        var lastStep = lines.Where(l => l.GetProperty("kind").GetString() == "step").Max(l => l.GetProperty("step").GetInt32());
        Assert.Equal(4, lastStep); // the fault DMA: it issues no command
        Assert.DoesNotContain(lines, l => l.GetProperty("step").GetInt32() == lastStep && l.GetProperty("kind").GetString() == "command");

        // After the last step's result: only teardown lines, and there are some (the CMDQV shutdown's CMD_SYNCs).
        var lastResult = lines.FindLastIndex(l => l.GetProperty("kind").GetString() == "step");
        var teardown = lines.Skip(lastResult + 1).ToList();
        Assert.NotEmpty(teardown);
        Assert.All(teardown, l =>
        {
            Assert.Equal(TraceRecord.TeardownStep, l.GetProperty("step").GetInt32());
            Assert.Equal("teardown", l.GetProperty("phase").GetString());
        });
        Assert.Contains(teardown, l => l.GetProperty("op").GetString() == "SYNC");
        Assert.DoesNotContain(lines.Take(lastResult + 1), l => l.GetProperty("step").GetInt32() == TraceRecord.TeardownStep);

        // Setup lines say so too; lines of a step have no phase.
        Assert.All(lines.Where(l => l.GetProperty("step").GetInt32() == -1), l => Assert.Equal("setup", l.GetProperty("phase").GetString()));
        Assert.All(lines.Where(l => l.GetProperty("step").GetInt32() >= 0), l => Assert.False(l.TryGetProperty("phase", out _)));

        // The trace reads back, teardown included.
        using var reader = new StreamReader(path);
        var records = TraceReader.Read(reader).ToList();
        Assert.Equal(lines.Count, records.Count);
        Assert.Equal(teardown.Count, records.Count(r => r.Step == TraceRecord.TeardownStep));
    }
}
