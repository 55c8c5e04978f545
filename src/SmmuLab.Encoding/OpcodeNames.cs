using System.Globalization;
using SmmuLab.Architecture.Commands;

namespace SmmuLab.Encoding;

/// <summary>
/// The one table of command names. The spec name is the <see cref="Opcode"/> member
/// (<c>CMD_TLBI_NH_VA</c>); the short name drops <c>CMD_</c> (<c>TLBI_NH_VA</c>) and is what traces,
/// oracle reports and the command line use. People may write either, in any case, and
/// <c>CFGI_ALL</c>; also Linux's <c>CMDQ_OP_*</c> names from <c>arm-smmu-v3.h</c>, with or without
/// the prefix, which differ from the spec's only in <c>PREFETCH_CFG</c> and <c>CMDQ_OP_CMD_SYNC</c>.
/// </summary>
public static class OpcodeNames
{
    private const string Prefix = "CMD_";

    /// <summary>The short name of CMD_CFGI_ALL, which is CMD_CFGI_STE_RANGE with Range == <see cref="CommandLayouts.CfgiAllRange"/> (IHI0070 4.3.6).</summary>
    public const string CfgiAll = "CFGI_ALL";

    /// <summary>The alias's spec name.</summary>
    public const string CfgiAllSpecName = Prefix + CfgiAll;

    /// <summary>Linux's prefix for its opcode constants (<c>CMDQ_OP_TLBI_NH_VA</c>).</summary>
    public const string LinuxPrefix = "CMDQ_OP_";

    private static readonly string?[] SpecNames = new string?[256];
    private static readonly string?[] ShortNames = new string?[256];
    private static readonly Dictionary<string, Opcode> ByShortName = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Linux names (prefix stripped) that are not the spec's.</summary>
    private static readonly Dictionary<string, Opcode> LinuxOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        ["PREFETCH_CFG"] = Opcode.CMD_PREFETCH_CONFIG,
    };

    static OpcodeNames()
    {
        foreach (var op in Enum.GetValues<Opcode>())
        {
            var spec = op.ToString();
            SpecNames[(byte)op] = spec;
            ShortNames[(byte)op] = spec[Prefix.Length..];
            ByShortName.Add(spec[Prefix.Length..], op);
        }
    }

    /// <summary>The spec name of an opcode byte (<c>CMD_SYNC</c>), or null when the architecture reserves it (CERROR_ILL).</summary>
    public static string? SpecName(byte op) => SpecNames[op];

    /// <summary>The spec name of an opcode (<c>CMD_SYNC</c>), or null when the architecture reserves it.</summary>
    public static string? SpecName(Opcode op) => SpecNames[(byte)op];

    /// <summary>The spec name, or the opcode's number for one the architecture reserves (as counters list it).</summary>
    public static string SpecNameOrNumber(Opcode op) => SpecNames[(byte)op] ?? ((byte)op).ToString(CultureInfo.InvariantCulture);

    /// <summary>The short name of an opcode (<c>SYNC</c>), or null when the architecture reserves it.</summary>
    public static string? ShortName(Opcode op) => ShortNames[(byte)op];

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

        var spec = isCfgiAll ? $"{CfgiAllSpecName} ({SpecName(Opcode.CMD_CFGI_STE_RANGE)}, range {CommandLayouts.CfgiAllRange})" : SpecName(op);
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

        if (name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            name = name[Prefix.Length..];
        }

        isCfgiAll = name.Equals(CfgiAll, StringComparison.OrdinalIgnoreCase);
        if (isCfgiAll)
        {
            op = Opcode.CMD_CFGI_STE_RANGE;
            return true;
        }

        return ByShortName.TryGetValue(name, out op) || LinuxOnly.TryGetValue(name, out op);
    }
}
