using SmmuLab.Architecture.Bits;

namespace SmmuLab.Encoding;

/// <summary>How fields are named in messages and dumps.</summary>
internal static class FieldText
{
    /// <summary>The field's place, double-word relative: <c>dw1[63:12]</c> or <c>dw0[11]</c>.</summary>
    public static string Location(Field f) => f.Width == 1 ? $"dw{f.Dword}[{f.Lo}]" : $"dw{f.Dword}[{f.Hi}:{f.Lo}]";

    public static string Hex(ulong value) => $"0x{value:x}";
}
