using System.Text;
using SmmuLab.TestSupport.Scenarios;

namespace SmmuLab.Scenarios.Tests;

/// <summary>
/// Steps are parsed one table at a time: the machine part of the file keeps its line numbers, a
/// step's errors name the file's line, and a long file's steps are parsed again when used instead
/// of being kept.
/// </summary>
public class ScenarioStepStreamingTests
{
    /// <summary>Nine lines: an SMMU, a device, a domain.</summary>
    private static readonly string Machine = new ScenarioBuilder().Smmu("smmu0", "s1").Device("nic", [0x20]).Domain("dom", "s1").ToToml();

    private static string WithSteps(int count)
    {
        var sb = new StringBuilder(Machine).Append('\n');
        for (var i = 0; i < count; i++)
        {
            sb.Append("[[step]]\nop = \"map\"\ndomain = \"dom\"\n").Append($"iova = 0x{0x10000 + (i * 0x1000):x}\n").Append("pa = 0x80000000\nsize = 0x1000\n");
        }

        return sb.ToString();
    }

    [Fact]
    public void A_file_longer_than_the_kept_limit_reads_every_step_the_same_each_time()
    {
        var count = ScenarioStepList.KeptSteps + 5;
        var s = ScenarioParser.Parse(WithSteps(count), "long.toml");

        Assert.Equal(count, s.Steps.Count);
        var last = Assert.IsType<MapStep>(s.Steps[count - 1]);
        Assert.Equal(last, s.Steps[count - 1]);
        Assert.Equal((ulong)(0x10000 + ((count - 1) * 0x1000)), last.Iova);
        Assert.Equal(10 + ((count - 1) * 6), last.Line);
        Assert.Equal(count, s.Steps.Count(step => step is MapStep));
    }

    [Fact]
    public void A_bad_key_in_a_late_step_names_the_file_line()
    {
        var text = WithSteps(3).Replace("iova = 0x12000", "iova = \"x\"", StringComparison.Ordinal);
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(text, "bad.toml"));
        Assert.Equal(("bad.toml", 25, "step[2].iova"), (e.File, e.Line, e.Key));
    }

    [Fact]
    public void A_syntax_error_in_a_step_names_the_file_line()
    {
        var text = WithSteps(3).Replace("iova = 0x11000", "iova = = 0x11000", StringComparison.Ordinal);
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(text, "bad.toml"));
        Assert.Equal(19, e.Line);
    }

    [Fact]
    public void A_table_header_inside_a_multiline_description_is_not_a_step()
    {
        var text = "description = \"\"\"\nsee\n[[step]]\nbelow\n\"\"\"\n" + WithSteps(1);
        var s = ScenarioParser.Parse(text, "d.toml");

        Assert.Single(s.Steps);
        Assert.Contains("[[step]]", s.Description, StringComparison.Ordinal);
        Assert.Equal(15, s.Steps[0].Line);
    }
}
