using System.Globalization;

namespace SmmuLab.Fuzzing;

/// <summary>
/// One step of a fuzz case, done by <see cref="FuzzMachine"/> the way software would: structures
/// written into memory (then CFGI_ALL, TLBI_NSNH_ALL, CMD_SYNC), commands put on the CMDQ, a
/// register written, or a transaction presented. <see cref="ToString"/> is the reproducer's line.
/// </summary>
public abstract record FuzzAction
{
    /// <summary>Hex with 0x, for the reproducer.</summary>
    protected static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Words in hex, comma-separated.</summary>
    protected static string Words(IEnumerable<ulong> words) => string.Join(",", words.Select(Hex));
}

/// <summary>Writes an STE (8 double words) for <paramref name="Sid"/> into the linear stream table.</summary>
public sealed record WriteSte(int Sid, ulong[] Dwords) : FuzzAction
{
    public override string ToString() => $"ste sid={Sid} {Words(Dwords)}";
}

/// <summary>Writes CD <paramref name="Index"/> (8 double words) of the CD table every generated stage-1 STE points at.</summary>
public sealed record WriteCd(int Index, ulong[] Dwords) : FuzzAction
{
    public override string ToString() => $"cd index={Index} {Words(Dwords)}";
}

/// <summary>Writes one 64-bit descriptor into page <paramref name="Table"/> of the page-table area.</summary>
public sealed record WriteDescriptor(int Table, int Index, ulong Value) : FuzzAction
{
    public override string ToString() => $"pte table={Table} index={Index} {Hex(Value)}";
}

/// <summary>Puts commands (two double words each) on the CMDQ and publishes them with one CMDQ_PROD write.</summary>
public sealed record IssueCommands(IReadOnlyList<(ulong Dw0, ulong Dw1)> Commands) : FuzzAction
{
    public override string ToString() => "cmds " + string.Join(" ", Commands.Select(c => $"{Hex(c.Dw0)}:{Hex(c.Dw1)}"));
}

/// <summary>Writes a register (32 or 64 bits), then resets the SMMU and brings it up again.</summary>
public sealed record WriteRegister(int Offset, ulong Value, bool Wide) : FuzzAction
{
    public override string ToString() => $"reg{(Wide ? "64" : "32")} {Hex((ulong)Offset)} {Hex(Value)}";
}

/// <summary>Presents an untranslated transaction.</summary>
public sealed record Transaction(uint Sid, uint? Ssid, ulong Address, bool Write) : FuzzAction
{
    public override string ToString() => $"dma sid={Sid} ssid={(Ssid is { } s ? s.ToString(CultureInfo.InvariantCulture) : "-")} {(Write ? "write" : "read")} {Hex(Address)}";
}
