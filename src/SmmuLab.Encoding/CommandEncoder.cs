using SmmuLab.Architecture.Bits;
using SmmuLab.Architecture.Commands;

namespace SmmuLab.Encoding;

/// <summary>
/// Builds a command from its name and <c>field=value</c> assignments, with the field names of
/// <see cref="CommandLayouts"/>. Every refusal names the problem: unknown opcode, unknown field for
/// that opcode, a value that does not fit, a misaligned or out-of-range address, a field given twice.
/// </summary>
public static class CommandEncoder
{
    /// <summary>Spec long names accepted for the short field names of the layouts.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["streamid"] = "sid",
        ["substreamid"] = "ssid",
        ["msiaddress"] = "msiaddr",
        ["prgindex"] = "grpid",
        ["g"] = "global",
    };

    /// <summary>Fields accepted for one opcode beyond its layout (they overlap layout fields).</summary>
    private static readonly Dictionary<(Opcode, string), Field> Extras = new()
    {
        // Linux's CMDQ_RESUME_0_RESP: TERM 0, RETRY 1, ABORT 2 over Ac [12] and Ab [13].
        [(Opcode.CMD_RESUME, "resp")] = CommandLayouts.ResumeResp,
    };

    /// <summary>Encodes <paramref name="opcode"/> with <paramref name="assignments"/> (<c>name=value</c>).</summary>
    public static Result<Command> Encode(string opcode, IEnumerable<string> assignments)
    {
        if (!OpcodeNames.TryParse(opcode, out var op, out var isCfgiAll))
        {
            return Result<Command>.Fail($"unknown opcode '{opcode}' (expected a command name such as CMD_SYNC or TLBI_NH_VA)");
        }

        var layout = CommandLayouts.For(op)!;
        var name = isCfgiAll ? OpcodeNames.CfgiAll : OpcodeNames.SpecName(op)!;

        // CMD_CFGI_ALL(SSec) (IHI0070 4.3.6) is CFGI_STE_RANGE with Range == 31, whose StreamID is then IGNORED.
        var fields = isCfgiAll ? CommandLayouts.SSec.Name : FieldList(op);
        Span<ulong> dw = stackalloc ulong[CommandLayouts.Dwords];
        dw[0] = (ulong)op;
        if (isCfgiAll)
        {
            CommandLayouts.Range.Set(dw, CommandLayouts.CfgiAllRange);
        }

        var given = new List<Field>();
        foreach (var assignment in assignments)
        {
            var eq = assignment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return Result<Command>.Fail($"expected field=value, got '{assignment}'");
            }

            var fieldName = assignment[..eq].Trim();
            var valueText = assignment[(eq + 1)..].Trim();
            if (fieldName.Equals(CommandLayouts.Op.Name, StringComparison.OrdinalIgnoreCase))
            {
                return Result<Command>.Fail("'op' is the opcode itself: name the command instead");
            }

            if (!TryResolveField(op, layout, fieldName, out var field))
            {
                return Result<Command>.Fail($"{name} has no field '{fieldName}' (fields: {fields})");
            }

            var parsed = NumberParser.ParseValue(valueText);
            if (!parsed.IsSuccess)
            {
                return Result<Command>.Fail($"{field.Name}: {parsed.Error}");
            }

            var value = parsed.Value;
            var check = Check(name, field, value);
            if (check is not null)
            {
                return Result<Command>.Fail(check);
            }

            if (isCfgiAll && field == CommandLayouts.Range && value != CommandLayouts.CfgiAllRange)
            {
                return Result<Command>.Fail($"CFGI_ALL is CFGI_STE_RANGE with range=31; range={valueText} contradicts it");
            }

            if (isCfgiAll && field == CommandLayouts.Sid)
            {
                return Result<Command>.Fail($"CFGI_ALL has no field 'sid': with range=31 the StreamID is IGNORED (give CFGI_STE_RANGE to set it) (fields: {fields})");
            }

            foreach (var other in given)
            {
                if (other.Dword == field.Dword && (other.InPlaceMask & field.InPlaceMask) != 0)
                {
                    return Result<Command>.Fail(other == field
                        ? $"field '{field.Name}' given twice"
                        : $"field '{field.Name}' overlaps '{other.Name}' (give one of them)");
                }
            }

            given.Add(field);
            field.SetPresented(dw, value);
        }

        return Result<Command>.Ok(new Command(dw[0], dw[1]));
    }

    /// <summary>Encodes and formats as <c>0x&lt;dw0&gt; 0x&lt;dw1&gt;</c>.</summary>
    public static Result<string> EncodeToText(string opcode, IEnumerable<string> assignments) =>
        Encode(opcode, assignments).Map(Format);

    /// <summary>Two 16-digit lower-case hex words: <c>0x0000000000001046 0x0000000000001000</c>.</summary>
    public static string Format(Command command) => $"0x{command.Dw0:x16} 0x{command.Dw1:x16}";

    /// <summary>The names <c>encode</c> accepts for an opcode, in layout order (the opcode field excluded).</summary>
    public static IReadOnlyList<string> FieldNames(Opcode op) =>
        [.. CommandLayouts.For(op)!.Fields.Where(f => f != CommandLayouts.Op).Select(f => f.Name)];

    private static string FieldList(Opcode op)
    {
        var names = FieldNames(op);
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }

    private static bool TryResolveField(Opcode op, Layout layout, string name, out Field field)
    {
        if (layout.TryGetField(name, out field) && field != CommandLayouts.Op)
        {
            return true;
        }

        if (Extras.TryGetValue((op, name.ToLowerInvariant()), out field))
        {
            return true;
        }

        return Aliases.TryGetValue(name, out var canonical) && layout.TryGetField(canonical, out field);
    }

    /// <summary>Null when <paramref name="value"/> can be stored in <paramref name="field"/>, else why not.</summary>
    private static string? Check(string command, Field field, ulong value)
    {
        if (field.Kind == FieldKind.Address)
        {
            var lowMask = (1UL << field.Lo) - 1;
            if ((value & lowMask) != 0)
            {
                return $"{field.Name} {FieldText.Hex(value)} is misaligned: {command} takes address bits [{field.Hi}:{field.Lo}], "
                    + $"so bits [{field.Lo - 1}:0] must be zero";
            }

            if (!field.FitsPresented(value))
            {
                return $"{field.Name} {FieldText.Hex(value)} is out of range: {command} takes address bits [{field.Hi}:{field.Lo}]";
            }

            return null;
        }

        return field.Fits(value)
            ? null
            : $"value {FieldText.Hex(value)} does not fit {field.Name} {FieldText.Location(field)} "
                + $"({field.Width} bit{(field.Width == 1 ? string.Empty : "s")}, at most {FieldText.Hex(field.ValueMask)})";
    }
}
