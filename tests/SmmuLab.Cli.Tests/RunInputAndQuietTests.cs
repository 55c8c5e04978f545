using SmmuLab.TestSupport.Scenarios;

namespace SmmuLab.Cli.Tests;

/// <summary><c>run -</c> (the scenario on standard input) and <c>run --quiet</c>.</summary>
public sealed class RunInputAndQuietTests
{
    private static readonly string Valid = new ScenarioBuilder()
        .Smmu("smmu0", "s1")
        .Device("nic", [0x20])
        .Domain("dom", "s1")
        .Attach("nic", "dom")
        .Map("dom", 0x10000, 0x1_0000_0000, 0x1000)
        .Dma("nic", 0x10000, 0x1000, "read", expect: "ok")
        .ToToml();

    [Fact]
    public void A_scenario_on_standard_input_runs_like_a_file()
    {
        var (code, output, error) = CliRun.SmmulabWithInput(Valid, "run", "-");

        Assert.Equal(0, code);
        Assert.StartsWith("scenario <stdin>", output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
        Assert.Empty(error);
    }

    [Fact]
    public void A_malformed_scenario_on_standard_input_is_named_stdin_with_its_line()
    {
        var bad = Valid.Replace("sids = [0x20]", "sid = [0x20]", StringComparison.Ordinal);

        CliRun.AssertUsageError(CliRun.SmmulabWithInput(bad, "run", "-"), "<stdin>:");
    }

    [Fact]
    public void Standard_input_holding_a_control_character_is_refused()
    {
        CliRun.AssertUsageError(CliRun.SmmulabWithInput("[[smmu]]\0\n", "run", "-"), "<stdin>:1: file: not a text file: control character U+0000");
    }

    [Fact]
    public void Quiet_prints_nothing_when_the_run_passes()
    {
        var (code, output, error) = CliRun.SmmulabWithInput(Valid, "run", "-", "--quiet");

        Assert.Equal(0, code);
        Assert.Empty(output);
        Assert.Empty(error);
    }

    [Fact]
    public void Quiet_still_says_on_standard_error_that_a_step_failed()
    {
        var failing = Valid.Replace("expect = \"ok\"", "expect = \"fault\"", StringComparison.Ordinal);

        var (code, output, error) = CliRun.SmmulabWithInput(failing, "run", "-", "-q");

        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains("<stdin>: 1 of ", error, StringComparison.Ordinal);
    }
}
