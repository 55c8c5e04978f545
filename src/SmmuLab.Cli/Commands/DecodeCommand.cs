using System.CommandLine;
using SmmuLab.Encoding;

namespace SmmuLab.Cli.Commands;

/// <summary>
/// <c>smmulab decode cmd|ste|cd|event|pte WORD...</c>: prints every field by name. With no
/// arguments, or <c>-</c>, reads a kernel log from standard input and decodes the records the
/// Linux driver printed in it (<see cref="KernelLogDecoder"/>).
/// </summary>
internal static class DecodeCommand
{
    public static Command Build(TextReader input)
    {
        var kind = new Argument<string?>("structure")
        {
            Description = "cmd (2 words), ste (up to 8), cd (up to 8), event (4) or pte (1); none, or -, to read a kernel log (dmesg) from standard input",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var words = new Argument<string[]>("words")
        {
            Description = "64-bit words in hex, dw0 first, with or without 0x",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("decode", "Decode a command, STE, CD, event record or descriptor from its 64-bit words, or the SMMU records of a kernel log on standard input")
        {
            kind,
            words,
        };
        command.SetAction(parse =>
        {
            var structure = parse.GetValue(kind);
            var given = parse.GetValue(words) ?? [];
            if (structure is null or "-")
            {
                return given.Length == 0
                    ? DecodeLog(parse, input)
                    : SmmulabApp.Report(parse, Result<string>.Fail("words were given without a structure; name one (cmd, ste, cd, event, pte)"));
            }

            if (given.Length == 0)
            {
                return SmmulabApp.Report(parse, Result<string>.Fail(
                    "Required argument 'words' missing (or give no arguments, or '-', to decode a kernel log from standard input)"));
            }

            return SmmulabApp.Report(parse, StructureDecoder.Decode(structure, given));
        });
        return command;
    }

    /// <summary>Streams the log through the decoder; a summary line goes to standard error. Exit 2 when nothing was found.</summary>
    private static int DecodeLog(ParseResult parse, TextReader input)
    {
        var config = parse.InvocationConfiguration;
        var decoder = new KernelLogDecoder();
        decoder.Decode(input, config.Output);
        config.Error.WriteLine(
            $"smmulab: {decoder.Lines} lines read, {decoder.Records} SMMU records decoded, {decoder.Incomplete} incomplete, {decoder.Skipped} other lines skipped");
        return decoder.Records == 0 && decoder.Incomplete == 0 ? ExitCodes.BadInput : ExitCodes.Success;
    }
}
