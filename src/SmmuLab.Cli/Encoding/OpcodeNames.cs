using SmmuLab.Architecture.Commands;

namespace SmmuLab.Cli.Encoding;

/// <summary>
/// Command names as people write them: the spec's, with or without <c>CMD_</c>, any case, and
/// <c>CFGI_ALL</c>; also Linux's <c>CMDQ_OP_*</c> names from <c>arm-smmu-v3.h</c>, with or without
/// the prefix, which differ from the spec's only in <c>PREFETCH_CFG</c> and <c>CMDQ_OP_CMD_SYNC</c>.
/// </summary>
public static class OpcodeNames
{
    /// <summary>Linux's prefix for its opcode constants (<c>CMDQ_OP_TLBI_NH_VA</c>).</summary>
    public const string LinuxPrefix = "CMDQ_OP_";

    private static readonly Dictionary<string, Opcode> ByName = Enum.GetValues<Opcode>()
        .ToDictionary(op => op.ToString()["CMD_".Length..], StringComparer.OrdinalIgnoreCase);

    /// <summary>Linux names (prefix stripped) that are not the spec's.</summary>
    private static readonly Dictionary<string, Opcode> LinuxOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        ["PREFETCH_CFG"] = Opcode.CMD_PREFETCH_CONFIG,
    };

    /// <summary>
    /// When <paramref name="text"/> is a Linux name (<c>CMDQ_OP_</c> prefix, or a name only Linux
    /// uses), a one-line note saying which command it was taken as; null for the spec's names.
    /// </summary>
    public static string? LinuxNameNote(string text)
    {
        var name = text.Trim();
        var prefixed = name.StartsWith(LinuxPrefix, StringComparison.OrdinalIgnoreCase);
        var bare = prefixed ? name[LinuxPrefix.Length..] : name;
        if (!prefixed && !LinuxOnly.ContainsKey(bare))
        {
            return null;
        }

        if (!TryParse(name, out var op, out var isCfgiAll))
        {
            return null;
        }

        var spec = isCfgiAll ? "CMD_CFGI_ALL (CMD_CFGI_STE_RANGE, range 31)" : op.ToString();
        return $"took Linux's {LinuxPrefix}{bare.ToUpperInvariant()} as {spec}";
    }

    /// <summary>
    /// Resolves <paramref name="text"/> to an opcode. <paramref name="isCfgiAll"/> is true for the
    /// CFGI_ALL alias, which is CMD_CFGI_STE_RANGE with range preset to 31.
    /// </summary>
    public static bool TryParse(string text, out Opcode op, out bool isCfgiAll)
    {
        var name = text.Trim();
        if (name.StartsWith(LinuxPrefix, StringComparison.OrdinalIgnoreCase))
        {
            name = name[LinuxPrefix.Length..];
        }

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

        return ByName.TryGetValue(name, out op) || LinuxOnly.TryGetValue(name, out op);
    }

    /// <summary>The spec name of an opcode byte, or null when the architecture reserves it (CERROR_ILL).</summary>
    public static string? NameOf(byte op) => Enum.IsDefined((Opcode)op) ? ((Opcode)op).ToString() : null;
}
