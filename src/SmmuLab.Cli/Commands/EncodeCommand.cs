using System.CommandLine;
using SmmuLab.Encoding;

namespace SmmuLab.Cli.Commands;

/// <summary><c>smmulab encode OP field=value ...</c>: prints the command's two double words.</summary>
internal static class EncodeCommand
{
    public static Command Build()
    {
        var opcode = new Argument<string>("opcode")
        {
            Description = "Command name, with or without CMD_, any case (TLBI_NH_VA, cmd_sync, CFGI_ALL); Linux's CMDQ_OP_* names too (PREFETCH_CFG)",
        };
        var fields = new Argument<string[]>("fields")
        {
            Description = "field=value pairs with the spec's lower-case field names (sid, asid, addr, ...); values decimal or 0x-hex; addresses as addresses",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("encode", "Encode a command queue entry; prints 0x<dw0> 0x<dw1>.\n\nOpcodes and their fields:\n" + OpcodeTable())
        {
            opcode,
            fields,
        };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(opcode)!;
            var result = CommandEncoder.EncodeToText(name, parse.GetValue(fields) ?? []);
            if (result.IsSuccess && OpcodeNames.LinuxNameNote(name) is { } note)
            {
                // On stderr, so standard output stays the two words a script reads.
                parse.InvocationConfiguration.Error.WriteLine($"smmulab: {note}");
            }

            return SmmulabApp.Report(parse, result);
        });
        return command;
    }

    /// <summary>Every opcode with its field names, for <c>encode --help</c> (<c>smmulab list opcodes</c> prints the same with the opcode values).</summary>
    private static string OpcodeTable() => string.Join('\n', Enum.GetValues<Architecture.Commands.Opcode>()
        .Select(op => $"  {OpcodeNames.ShortName(op),-16} {(CommandEncoder.FieldNames(op) is { Count: > 0 } f ? string.Join(' ', f) : "(no fields)")}")
        .Append($"  {OpcodeNames.CfgiAll,-16} ssec"));
}
