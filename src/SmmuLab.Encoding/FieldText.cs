using SmmuLab.Architecture.Bits;

namespace SmmuLab.Encoding;

/// <summary>How fields are named in messages and dumps.</summary>
public static class FieldText
{
    /// <summary>The field's place, double-word relative: <c>dw1[63:12]</c> or <c>dw0[11]</c>.</summary>
    public static string Location(Field f) => f.Width == 1 ? $"dw{f.Dword}[{f.Lo}]" : $"dw{f.Dword}[{f.Hi}:{f.Lo}]";

    /// <summary>The bit range of the value itself: <c>[63:12]</c> for an address, <c>[4:0]</c> for a value.</summary>
    public static string ValueBits(Field f) => f.Kind == FieldKind.Address
        ? $"[{f.Hi}:{f.Lo}]"
        : f.Width == 1 ? "[0]" : $"[{f.Width - 1}:0]";

    public static string Hex(ulong value) => $"0x{value:x}";
}
