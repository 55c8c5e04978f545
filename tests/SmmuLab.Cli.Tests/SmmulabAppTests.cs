namespace SmmuLab.Cli.Tests;

/// <summary>The whole command line: parse, run, output, exit code.</summary>
public class SmmulabAppTests
{
    [Fact]
    public void Encode_prints_two_words()
    {
        var (code, output, error) = CliRun.Smmulab("encode", "CMD_SYNC", "cs=1", "msiaddr=0x1000", "msidata=0");
        Assert.Equal(0, code);
        Assert.Equal("0x0000000000001046 0x0000000000001000\n", output);
        Assert.Empty(error);
    }

    [Fact]
    public void Encode_of_a_linux_name_keeps_stdout_to_the_words_and_notes_the_name_on_stderr()
    {
        var (code, output, error) = CliRun.Smmulab("encode", "PREFETCH_CFG", "sid=5");
        Assert.Equal(0, code);
        Assert.Equal("0x0000000500000001 0x0000000000000000\n", output);
        Assert.Equal("smmulab: took Linux's CMDQ_OP_PREFETCH_CFG as CMD_PREFETCH_CONFIG\n", error);
    }

    [Fact]
    public void Decode_prints_fields()
    {
        var (code, output, _) = CliRun.Smmulab("decode", "cmd", "0x1046", "0x1000");
        Assert.Equal(0, code);
        Assert.StartsWith("CMD_SYNC (0x46)\n", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "encode", "FOO" }, "unknown opcode 'FOO'")]
    [InlineData(new[] { "encode", "TLBI_NH_VA", "sid=1" }, "has no field 'sid'")]
    [InlineData(new[] { "encode", "TLBI_NH_VA", "num=99" }, "does not fit num")]
    [InlineData(new[] { "encode", "SYNC", "msiaddr=0x1001" }, "is misaligned")]
    [InlineData(new[] { "encode" }, "Required argument 'opcode' missing")]
    [InlineData(new[] { "decode", "cmd", "0xqq", "0" }, "is not a hex number")]
    [InlineData(new[] { "decode", "event", "1" }, "event takes exactly 4")]
    [InlineData(new[] { "decode", "cmd" }, "Required argument 'words' missing")]
    [InlineData(new[] { "decode", "nope", "1" }, "unknown structure 'nope'")]
    [InlineData(new[] { "frobnicate" }, "unknown subcommand 'frobnicate' (expected one of: encode, decode, run, compare, bench, replay, check, fuzz, list, help)")]
    [InlineData(new string[0], "a subcommand is required (encode, decode, run, compare, bench, replay, check, fuzz, list, help)")]
    public void Bad_input_exits_2_with_one_line_on_stderr(string[] args, string message) =>
        CliRun.AssertUsageError(CliRun.Smmulab(args), message);

    [Fact]
    public void Help_is_not_an_error()
    {
        var (code, output, _) = CliRun.Smmulab("--help");
        Assert.Equal(0, code);
        Assert.Contains("encode", output, StringComparison.Ordinal);
        Assert.Contains("decode", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Subcommands_are_listed_once() =>
        Assert.Equal(["encode", "decode", "run", "compare", "bench", "replay", "check", "fuzz", "list", "help"], SmmulabApp.BuildRoot().Subcommands.Select(c => c.Name));
}
