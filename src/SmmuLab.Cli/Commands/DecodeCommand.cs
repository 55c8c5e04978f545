using System.CommandLine;
using SmmuLab.Encoding;

namespace SmmuLab.Cli.Commands;

/// <summary><c>smmulab decode cmd|ste|cd|event|pte WORD...</c>: prints every field by name.</summary>
internal static class DecodeCommand
{
    public static Command Build()
    {
        var kind = new Argument<string>("structure")
        {
            Description = "cmd (2 words), ste (up to 8), cd (up to 8), event (4) or pte (1)",
        };
        var words = new Argument<string[]>("words")
        {
            Description = "64-bit words in hex, dw0 first, with or without 0x",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("decode", "Decode a command, STE, CD, event record or descriptor from its 64-bit words")
        {
            kind,
            words,
        };
        command.SetAction(parse => SmmulabApp.Report(
            parse,
            StructureDecoder.Decode(parse.GetValue(kind)!, parse.GetValue(words) ?? [])));
        return command;
    }
}
