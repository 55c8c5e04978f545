using System.Text.Json;
using System.Text.RegularExpressions;
using SmmuLab.Cli.Tests.Results;
using SmmuLab.Tracing;

namespace SmmuLab.Cli.Tests;

/// <summary>
/// A Tegra241 CMDQV run's per-SMMU totals count the commands consumed through its VCMDQs: split
/// (main CMDQ / each VCMDQ) and summed, in the text and the JSON, adding up to every command traced.
/// </summary>
public partial class VcmdqTotalsTests
{
    [GeneratedRegex(@"^  commands consumed: (\d+) \((\d+) CMD_SYNC\) = (\d+) on the main CMDQ \+ (\d+) on VCMDQs$", RegexOptions.Multiline)]
    private static partial Regex SplitLine();

    [GeneratedRegex(@"^    total\s+(\d+)\s+(\d+)\s+(\d+)$", RegexOptions.Multiline)]
    private static partial Regex TotalRow();

    [Fact]
    public void A_cmdqv_runs_totals_include_the_vcmdqs_commands_split_and_summed()
    {
        using var dir = new TempDirectory("smmulab-vcmdq");
        var json = dir.PathOf("run.json");
        var trace = dir.PathOf("run.jsonl");

        var (code, text, _) = CliRun.Smmulab("run", Path.Combine(AppContext.BaseDirectory, "scenarios", "cmdqv.toml"), "--json", json, "--trace", trace);

        Assert.Equal(ExitCodes.Success, code);
        var smmu = JsonSchemas.AssertValid("run", File.ReadAllText(json)).GetProperty("smmus")[0];
        var commands = smmu.GetProperty("commands").GetInt64();
        var cmdq = smmu.GetProperty("cmdq_commands").GetInt64();
        var vcmdqs = smmu.GetProperty("vcmdq_commands").EnumerateArray().Select(q => q.GetInt64()).ToList();
        Assert.True(vcmdqs.Sum() > 0, "the kernel's commands went through the VCMDQs");
        Assert.Equal(commands, cmdq + vcmdqs.Sum());
        Assert.Equal(commands, smmu.GetProperty("commands_by_opcode").EnumerateArray().Sum(o => o.GetProperty("count").GetInt64()));
        var queues = smmu.GetProperty("queues").EnumerateArray().ToList();
        Assert.Equal("cmdq", queues[0].GetProperty("queue").GetString());
        Assert.Equal(commands, queues.Sum(q => q.GetProperty("commands").GetInt64()));
        Assert.Equal(smmu.GetProperty("cmd_syncs").GetInt64(), queues.Sum(q => q.GetProperty("cmd_syncs").GetInt64()));

        // Every command the trace saw during the run (teardown apart), per queue, is counted.
        var traced = File.ReadAllLines(trace).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("kind").GetString() == "command" && l.GetProperty("step").GetInt32() != TraceRecord.TeardownStep)
            .GroupBy(l => l.GetProperty("queue").GetString()!).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.Equal(cmdq, traced["cmdq"]);
        for (var q = 0; q < vcmdqs.Count; q++)
        {
            Assert.Equal(vcmdqs[q], traced.GetValueOrDefault($"vcmdq{q}"));
        }

        // The text: the split line and the table's total row say the same.
        var split = SplitLine().Match(text);
        Assert.True(split.Success, text);
        Assert.Equal(commands, long.Parse(split.Groups[1].Value));
        Assert.Equal(smmu.GetProperty("cmd_syncs").GetInt64(), long.Parse(split.Groups[2].Value));
        Assert.Equal(cmdq, long.Parse(split.Groups[3].Value));
        Assert.Equal(vcmdqs.Sum(), long.Parse(split.Groups[4].Value));
        var total = TotalRow().Match(text);
        Assert.True(total.Success, text);
        Assert.Equal([cmdq, vcmdqs[0], commands], [long.Parse(total.Groups[1].Value), long.Parse(total.Groups[2].Value), long.Parse(total.Groups[3].Value)]);
    }

    [Fact]
    public void Without_a_cmdqv_the_totals_are_the_cmdqs_and_vcmdq_commands_is_null()
    {
        var (code, output, _) = CliRun.Smmulab("run", "--json", "-");

        Assert.Equal(ExitCodes.Success, code);
        var smmu = JsonSchemas.AssertValid("run", output).GetProperty("smmus")[0];
        Assert.Equal(JsonValueKind.Null, smmu.GetProperty("vcmdq_commands").ValueKind);
        Assert.Equal(smmu.GetProperty("commands").GetInt64(), smmu.GetProperty("cmdq_commands").GetInt64());
        Assert.Single(smmu.GetProperty("queues").EnumerateArray());
    }
}
