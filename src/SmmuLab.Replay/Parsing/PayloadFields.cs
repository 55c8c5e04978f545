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
    private int pos;

    public PayloadFields(ReadOnlySpan<char> payload)
    {
        text = payload;
        pos = NextKeyToken(payload, 0);
        Leading = payload[..pos].TrimEnd(' ');
    }

    /// <summary>The text before the first <c>key=value</c> token, trailing spaces removed.</summary>
    public ReadOnlySpan<char> Leading { get; }

    public bool MoveNext(out ReadOnlySpan<char> key, out ReadOnlySpan<char> value)
    {
        key = [];
        value = [];
        if (pos >= text.Length)
        {
            return false;
        }

        var eq = text[pos..].IndexOf('=') + pos;
        key = text[pos..eq];
        var valueStart = eq + 1;
        var next = NextKeyToken(text, valueStart);
        value = text[valueStart..next].TrimEnd(' ');
        pos = next;
        return true;
    }

    /// <summary>The start of the first token at or after <paramref name="from"/> that holds '=' (or the end).</summary>
    private static int NextKeyToken(ReadOnlySpan<char> s, int from)
    {
        var p = from;
        var tokenStart = from;
        while (p < s.Length)
        {
            var c = s[p];
            if (c == ' ')
            {
                p++;
                tokenStart = p;
            }
            else if (c == '=')
            {
                // Only a token's own '=' counts, and a value never starts a new key.
                if (tokenStart > from || from == 0 || s[from - 1] != '=')
                {
                    return tokenStart;
                }

                p++;
            }
            else
            {
                p++;
            }
        }

        return s.Length;
    }
}
