using System.Text.RegularExpressions;

namespace SmmuLab.Cli.Tests;

/// <summary>The run report's counts add up.</summary>
public sealed partial class ReportArithmeticTests
{
    [Fact]
    public void The_translations_of_the_default_run_are_split_by_outcome_and_add_up()
    {
        var (code, output, _) = CliRun.Smmulab("run");

        Assert.Equal(0, code);
        var total = long.Parse(Translations().Match(output).Groups[1].Value);
        var split = Split().Match(output);
        Assert.True(split.Success, output);
        var parts = Enumerable.Range(2, 5).Select(i => long.Parse(split.Groups[i].Value)).ToArray();
        Assert.Equal(total, long.Parse(split.Groups[1].Value));
        Assert.Equal(total, parts.Sum());
        Assert.True(parts[0] > 0 && parts[1] > 0, "the default run both walks and hits the TLB");
        Assert.Equal(1, parts[4]); // its one expected fault on the unmapped page of the S1 device
    }

    [Fact]
    public void The_JSON_report_carries_the_outcomes_and_they_add_up()
    {
        var (code, output, _) = CliRun.Smmulab("run", "--json", "-");

        Assert.Equal(0, code);
        var smmu = System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("smmus")[0];
        var outcomes = smmu.GetProperty("translation_outcomes");
        var sum = new[] { "from_tlb", "after_walk", "bypassed", "raz_wi", "aborted" }.Sum(k => outcomes.GetProperty(k).GetInt64());
        Assert.Equal(smmu.GetProperty("translations").GetInt64(), sum);
        Assert.True(outcomes.GetProperty("from_tlb").GetInt64() > 0);
    }

    [GeneratedRegex(@"smmu0: (\d+) translations")]
    private static partial Regex Translations();

    [GeneratedRegex(@"translations: (\d+) = (\d+) from the TLB \+ (\d+) after a table walk \+ (\d+) bypassed \+ (\d+) RAZ/WI \+ (\d+) aborted")]
    private static partial Regex Split();
}
