using System.Runtime.CompilerServices;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// Walks an event payload as <see cref="Leading"/> text (device name, <c>IOMMU:</c>, …) followed by
/// <c>key=value</c> fields, by name rather than position. A value runs up to the next
/// space-separated token that holds '=', so multi-token values come out whole: trace-cmd's
/// space-separated arrays (<c>sizes=4096 512</c>), <c>iova=0x… - 0x…</c>, and
/// <c>ents=1/1 [TRUNCATED]</c>.
/// </summary>
internal ref struct PayloadFields
{
    private readonly ReadOnlySpan<char> text;
    private int keyStart;
    private int equals;

    public PayloadFields(ReadOnlySpan<char> payload)
    {
        text = payload;
        (keyStart, equals) = NextKey(payload, 0);
        Leading = payload[..keyStart].TrimEnd(' ');
    }

    /// <summary>The text before the first <c>key=value</c> token, trailing spaces removed.</summary>
    public ReadOnlySpan<char> Leading { get; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool MoveNext(out ReadOnlySpan<char> key, out ReadOnlySpan<char> value)
    {
        if (keyStart >= text.Length)
        {
            key = [];
            value = [];
            return false;
        }

        key = text[keyStart..equals];
        var valueStart = equals + 1;
        (keyStart, equals) = NextKey(text, valueStart);
        value = text[valueStart..keyStart].TrimEnd(' ');
        return true;
    }

    /// <summary>
    /// The start of the first token at or after <paramref name="from"/> that holds '=', and that '='
    /// (both the end when there is none). An '=' in the first token after a value's own '=' belongs
    /// to the value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int KeyStart, int EqualsAt) NextKey(ReadOnlySpan<char> s, int from)
    {
        var p = from;
        while (true)
        {
            var rel = s[p..].IndexOf('=');
            if (rel < 0)
            {
                return (s.Length, s.Length);
            }

            var eq = p + rel;

            // Backwards from the '=': the key is a few characters, so the space is near.
            var space = eq - 1;
            while (space >= from && s[space] != ' ')
            {
                space--;
            }

            if (space >= from)
            {
                return (space + 1, eq);
            }

            if (from == 0)
            {
                return (0, eq);
            }

            p = eq + 1;
        }
    }
}
