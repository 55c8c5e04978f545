using System.CommandLine;
using System.Text.RegularExpressions;
using SmmuLab.Cli.Commands;
using SmmuLab.Fuzzing;

namespace SmmuLab.Cli.Tests;

/// <summary><c>smmulab fuzz</c>: a clean run, a failure with its reproducer, its rerun, refused input.</summary>
public class FuzzCommandTests
{
    private static (int Code, string Out, string Err) Fuzz(Func<FuzzCase, FuzzStatistics, string?> target, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var root = new RootCommand { FuzzCommand.Build(target) };
        var code = root.Parse(["fuzz", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>A model that gets command errors wrong: any case with an undefined opcode fails.</summary>
    private static string? MisreadsUndefinedOpcodes(FuzzCase c, FuzzStatistics stats) =>
        c.Actions.OfType<IssueCommands>().Any(a => a.Commands.Any(x => (byte)x.Dw0 is 0x7F or >= 0x90))
            ? "an undefined opcode consumed without CERROR_ILL"
            : FuzzRunner.Model(c, stats);

    [Fact]
    public void A_clean_run_prints_what_the_model_answered_and_exits_0()
    {
        var (code, output, error) = CliRun.Smmulab("fuzz", "--seconds", "60", "--cases", "300", "--seed", "5");

        Assert.Equal(0, code);
        Assert.Empty(error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^fuzz: seed 5, \d+\.\d s, 300 cases \(\d+/s\), \d+ actions$", lines[0]);
        Assert.Matches(@"^  commands \d+ \(\d+ with an undefined opcode\); command errors: .*CERROR_ILL \d+", lines[1]);
        Assert.Matches(@"^  transactions \d+ \(\d+ translated or bypassed\); faults: .*C_BAD_STE \d+", lines[2]);
        Assert.StartsWith("  event records: ", lines[3], StringComparison.Ordinal);
        Assert.Matches(@"^  register writes \d+, structure writes \d+$", lines[4]);
        Assert.Equal("result: no failure", lines[^1]);
    }

    [Fact]
    public void A_failure_prints_the_shrunk_case_and_the_line_that_reruns_it_and_exits_1()
    {
        var (code, output, error) = Fuzz(MisreadsUndefinedOpcodes, "--seconds", "60", "--seed", "1000");

        Assert.Equal(1, code);
        var m = Regex.Match(output, @"FAILURE \(case seed (\d+)\): an undefined opcode consumed without CERROR_ILL");
        Assert.True(m.Success, output);
        Assert.Matches(@"case, shrunk to 1 of \d+ actions:\n  cmds 0x", output.Replace("\r", string.Empty, StringComparison.Ordinal));
        Assert.Contains($"reproduce: smmulab fuzz --seed {m.Groups[1].Value} --cases 1", output);
        Assert.EndsWith("result: failure" + Environment.NewLine, output, StringComparison.Ordinal);
        Assert.Equal($"smmulab: fuzz failure at case seed {m.Groups[1].Value}{Environment.NewLine}", error);

        // The reproducer fails at once, on the same case.
        var again = Fuzz(MisreadsUndefinedOpcodes, "--seed", m.Groups[1].Value, "--cases", "1");
        Assert.Equal(1, again.Code);
        Assert.Contains($"FAILURE (case seed {m.Groups[1].Value})", again.Out);
        Assert.Contains("1 cases", again.Out);
    }

    [Theory]
    [InlineData("invalid number of seconds", "--seconds", "0")]
    [InlineData("invalid number of seconds", "--seconds", "100000")]
    [InlineData("invalid number of cases", "--cases", "0")]
    [InlineData("Cannot parse argument '-1'", "--seed", "-1")]
    public void Bad_input_is_refused_with_one_line_and_exit_2(string message, params string[] args) =>
        CliRun.AssertUsageError(CliRun.Smmulab(["fuzz", .. args]), message);
}
