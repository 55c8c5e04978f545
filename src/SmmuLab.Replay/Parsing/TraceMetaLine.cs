namespace SmmuLab.Replay.Parsing;

/// <summary>
/// Lines that are not events but belong to the formats: lost-event markers (tracefs
/// <c>CPU:%d [LOST %lu EVENTS]</c>; trace-cmd <c>CPU:%d [%lld EVENTS DROPPED]</c> and
/// <c>CPU:%d [EVENTS DROPPED]</c>) and trace-cmd report's meta lines (<c>version = 6</c>,
/// <c>cpus=8</c> with an optional <c>file:</c> prefix, <c>CPU 2 is empty</c>, <c>CPU 2</c>,
/// <c>CPU:2 [SUBBUFFER START]</c>).
/// </summary>
internal static class TraceMetaLine
{
    public static bool TryRecognize(ReadOnlySpan<char> trimmed, out TraceLine result)
    {
        result = default;
        var text = trimmed.TrimEnd(" \t");
        if (text.StartsWith("CPU:"))
        {
            return TryCpuBracket(text[4..], out result);
        }

        if (text.StartsWith("CPU"))
        {
            var rest = text[3..].TrimStart(' ');
            var p = 0;
            if (TryLong(rest, ref p, out _) && (p == rest.Length || rest[p] == ' '))
            {
                result = new TraceLine { Kind = TraceLineKind.Header };
                return true;
            }

            return false;
        }

        if (text.StartsWith("version"))
        {
            var rest = text[7..].TrimStart(' ');
            if (rest.StartsWith('='))
            {
                var v = rest[1..].TrimStart(' ');
                var p = 0;
                if (TryLong(v, ref p, out _) && p == v.Length)
                {
                    result = new TraceLine { Kind = TraceLineKind.Header };
                    return true;
                }
            }

            return false;
        }

        var cpus = text.IndexOf("cpus=");
        if (cpus >= 0 && (cpus == 0 || text[..cpus].EndsWith(": ")))
        {
            var v = text[(cpus + 5)..];
            var p = 0;
            if (TryLong(v, ref p, out var count) && p == v.Length)
            {
                result = new TraceLine { Kind = TraceLineKind.Header, CpuCount = count is > 0 and <= int.MaxValue ? (int)count : null };
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The CPU count of the tracefs header line <c># entries-in-buffer/entries-written: n/m   #P:4</c>
    /// (null for any other comment).
    /// </summary>
    public static int? CpuCountOfComment(ReadOnlySpan<char> line)
    {
        var at = line.IndexOf("#P:");
        if (at < 0)
        {
            return null;
        }

        var v = line[(at + 3)..];
        var p = 0;
        return TryLong(v, ref p, out var count) && count is > 0 and <= int.MaxValue && v[p..].Trim(" \t").IsEmpty ? (int)count : null;
    }

    private static bool TryCpuBracket(ReadOnlySpan<char> text, out TraceLine result)
    {
        result = default;
        var p = 0;
        if (!TryLong(text, ref p, out var cpu) || cpu > int.MaxValue)
        {
            return false;
        }

        var rest = text[p..].TrimStart(' ');
        if (rest is "[EVENTS DROPPED]")
        {
            result = new TraceLine { Kind = TraceLineKind.LostEvents, Cpu = (int)cpu, LostCount = null };
            return true;
        }

        if (rest is "[SUBBUFFER START]")
        {
            result = new TraceLine { Kind = TraceLineKind.Header, Cpu = (int)cpu };
            return true;
        }

        if (!rest.StartsWith('[') || !rest.EndsWith(']'))
        {
            return false;
        }

        var inner = rest[1..^1];
        var suffix = " EVENTS DROPPED";
        if (inner.StartsWith("LOST "))
        {
            inner = inner[5..];
            suffix = " EVENTS";
        }

        var q = 0;
        if (!TryLong(inner, ref q, out var count) || !inner[q..].SequenceEqual(suffix))
        {
            return false;
        }

        result = new TraceLine { Kind = TraceLineKind.LostEvents, Cpu = (int)cpu, LostCount = count };
        return true;
    }

    private static bool TryLong(ReadOnlySpan<char> s, ref int p, out long value)
    {
        value = 0;
        var start = p;
        while (p < s.Length && char.IsAsciiDigit(s[p]))
        {
            if (p - start >= 18)
            {
                return false;
            }

            value = (value * 10) + (s[p] - '0');
            p++;
        }

        return p > start;
    }
}
