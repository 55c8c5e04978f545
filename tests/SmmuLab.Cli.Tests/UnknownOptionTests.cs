namespace SmmuLab.Cli.Tests;

/// <summary>Options the command line does not know, and user text quoted in messages.</summary>
public sealed class UnknownOptionTests
{
    [Theory]
    [InlineData(new[] { "run", "--jsn" }, "unknown option '--jsn' for run")]
    [InlineData(new[] { "run", "--jsn", "out.json" }, "unknown option '--jsn' for run")]
    [InlineData(new[] { "compare", "-q" }, "unknown option '-q' for compare")]
    [InlineData(new[] { "replay", "--dezign", "linux" }, "unknown option '--dezign' for replay")]
    [InlineData(new[] { "bench", "--jsn", "b.json" }, "unknown option '--jsn' for bench")]
    [InlineData(new[] { "fuzz", "--second", "3" }, "unknown option '--second' for fuzz")]
    [InlineData(new[] { "list", "opcodes", "--all" }, "unknown option '--all' for list")]
    [InlineData(new[] { "check", "--thread", "2" }, "unknown option '--thread' for check")]
    public void An_option_taken_for_a_file_name_is_refused_before_anything_runs(string[] args, string message)
    {
        CliRun.AssertUsageError(CliRun.Smmulab(args), message);
    }

    [Theory]
    [InlineData(new[] { "bench", "extra" }, "unexpected argument 'extra' for bench")]
    [InlineData(new[] { "check", "a.toml", "b.toml" }, "unexpected argument 'b.toml' for check")]
    public void A_stray_argument_is_named_with_its_command(string[] args, string message)
    {
        CliRun.AssertUsageError(CliRun.Smmulab(args), message);
    }

    [Fact]
    public void A_lone_dash_and_negative_numbers_are_not_options()
    {
        var (code, _, error) = CliRun.Smmulab("encode", "TLBI_NH_VA", "num=-1");

        Assert.Equal(2, code);
        Assert.DoesNotContain("unknown option", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Terminal_escapes_in_user_text_are_shown_escaped()
    {
        var (code, output, error) = CliRun.Smmulab("\u001b[31mred");

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.DoesNotContain('\u001b', error);
        Assert.Contains("unknown subcommand '\\u001b[31mred'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_user_text_is_cut_in_messages()
    {
        Assert.Equal(new string('x', 120) + "...", SmmulabApp.Quote(new string('x', 5000)));
        Assert.Equal("a\\u0007b", SmmulabApp.Quote("a\u0007b"));
    }
}
