using SmmuLab.Architecture.Commands;

namespace SmmuLab.Cli.Encoding;

/// <summary>Command names as people write them: with or without <c>CMD_</c>, any case, and <c>CFGI_ALL</c>.</summary>
public static class OpcodeNames
{
    private static readonly Dictionary<string, Opcode> ByName = Enum.GetValues<Opcode>()
        .ToDictionary(op => op.ToString()["CMD_".Length..], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Resolves <paramref name="text"/> to an opcode. <paramref name="isCfgiAll"/> is true for the
    /// CFGI_ALL alias, which is CMD_CFGI_STE_RANGE with range preset to 31.
    /// </summary>
    public static bool TryParse(string text, out Opcode op, out bool isCfgiAll)
    {
        var name = text.Trim();
        if (name.StartsWith("CMD_", StringComparison.OrdinalIgnoreCase))
        {
            name = name[4..];
        }

        isCfgiAll = name.Equals("CFGI_ALL", StringComparison.OrdinalIgnoreCase);
        if (isCfgiAll)
        {
            op = Opcode.CMD_CFGI_STE_RANGE;
            return true;
        }

        return ByName.TryGetValue(name, out op);
    }

    /// <summary>The spec name of an opcode byte, or null when the architecture reserves it (CERROR_ILL).</summary>
    public static string? NameOf(byte op) => Enum.IsDefined((Opcode)op) ? ((Opcode)op).ToString() : null;
}
