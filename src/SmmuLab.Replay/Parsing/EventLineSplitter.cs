using System.Buffers;
using System.Runtime.CompilerServices;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// Splits an event line into context columns, event name and payload. The comm may hold spaces,
/// dashes and digits, so the task/pid boundary is the first dash whose digits are followed by the
/// rest of a valid context (tgid, then <c>[CPU]</c>, or a bare CPU with the latency flags glued on).
/// </summary>
internal static class EventLineSplitter
{
    private const string NoContext = "no task-pid and CPU columns";
    private const string BadFlags = "flag column is not 4 or 5 flag characters";
    private const string BadTimestamp = "no timestamp followed by ':'";
    private const string NoEventName = "no event name followed by ': '";

    private static readonly SearchValues<char> NameChars =
        SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TrySplit(ReadOnlySpan<char> line, out TraceLine result, out string problem)
    {
        result = default;
        var from = 0;
        Columns cols;
        while (true)
        {
            var rel = line[from..].IndexOf('-');
            if (rel < 0)
            {
                problem = NoContext;
                return false;
            }

            var dash = from + rel;
            from = dash + 1;
            if (TryColumns(line, dash, out cols))
            {
                break;
            }
        }

        var p = cols.End;
        LatencyFlags? flags = null;
        if (cols.Layout == TraceLayout.Latency)
        {
            var end = IndexOfSpace(line, p);
            if (!LatencyFlags.TryParse(line[p..end], out var f))
            {
                problem = BadFlags;
                return false;
            }

            flags = f;
            p = SkipSpaces(line, end);
        }
        else
        {
            p = SkipSpaces(line, p);
            var end = IndexOfSpace(line, p);
            if (end > p && line[end - 1] != ':')
            {
                if (!LatencyFlags.TryParse(line[p..end], out var f))
                {
                    problem = BadFlags;
                    return false;
                }

                flags = f;
                p = SkipSpaces(line, end);
            }
        }

        if (!TryTimestamp(line, ref p, out var timestamp))
        {
            problem = BadTimestamp;
            return false;
        }

        p = SkipSpaces(line, p);
        if (p + 1 < line.Length && line[p] == '(' && line[p + 1] == '+')
        {
            // trace-cmd --ts-diff: "(+0.000012)" before the event name.
            var close = line[p..].IndexOf(')');
            if (close < 0)
            {
                problem = BadTimestamp;
                return false;
            }

            p = SkipSpaces(line, p + close + 1);
        }

        if (!TryEventName(line, ref p, out var system, out var name))
        {
            problem = NoEventName;
            return false;
        }

        result = new TraceLine
        {
            Kind = TraceLineKind.Event,
            Layout = cols.Layout,
            Task = TrimSpaces(line[..cols.Dash]),
            Pid = cols.Pid,
            Tgid = cols.Tgid,
            Cpu = cols.Cpu,
            Flags = flags,
            Timestamp = timestamp,
            System = system,
            EventName = name,
            Payload = p < line.Length ? line[p..].TrimStart(' ') : [],
        };
        problem = string.Empty;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryColumns(ReadOnlySpan<char> line, int dash, out Columns cols)
    {
        cols = default;
        var p = dash + 1;
        if (!TryInt(line, ref p, out var pid) || p >= line.Length || line[p] != ' ')
        {
            return false;
        }

        p = SkipSpaces(line, p);
        int? tgid = null;
        var hasTgid = false;
        if (p < line.Length && line[p] == '(')
        {
            var close = line[p..].IndexOf(')');
            if (close < 0)
            {
                return false;
            }

            close += p;
            var inner = line[(p + 1)..close].Trim(' ');
            if (inner.IsEmpty)
            {
                return false;
            }

            if (inner.TrimStart('-').Length != 0)
            {
                var q = 0;
                if (!TryInt(inner, ref q, out var t) || q != inner.Length)
                {
                    return false;
                }

                tgid = t;
            }

            hasTgid = true;
            p = close + 1;
            if (p >= line.Length || line[p] != ' ')
            {
                return false;
            }

            p = SkipSpaces(line, p);
        }

        if (p >= line.Length)
        {
            return false;
        }

        int cpu;
        TraceLayout layout;
        if (line[p] == '[')
        {
            p++;
            if (!TryInt(line, ref p, out cpu) || p >= line.Length || line[p] != ']')
            {
                return false;
            }

            p++;
            if (p >= line.Length || line[p] != ' ')
            {
                return false;
            }

            layout = TraceLayout.Standard;
        }
        else if (!hasTgid && char.IsAsciiDigit(line[p]))
        {
            if (!TryInt(line, ref p, out cpu) || p >= line.Length || line[p] == ' ')
            {
                return false;
            }

            layout = TraceLayout.Latency;
        }
        else
        {
            return false;
        }

        cols = new Columns(dash, pid, tgid, cpu, layout, p);
        return true;
    }

    /// <summary>
    /// <c>seconds.fraction</c> (1 to 9 decimals) as nanoseconds, a bare integer as counts, or the
    /// latency format's <c>12us</c> with its optional delay mark; then the ':' that ends it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryTimestamp(ReadOnlySpan<char> line, ref int p, out TraceTimestamp timestamp)
    {
        timestamp = default;
        var start = p;
        long whole = 0;
        while (p < line.Length && char.IsAsciiDigit(line[p]))
        {
            if (p - start >= 18)
            {
                return false;
            }

            whole = (whole * 10) + (line[p] - '0');
            p++;
        }

        if (p == start || p >= line.Length)
        {
            return false;
        }

        if (line[p] == '.')
        {
            p++;
            var fracStart = p;
            long frac = 0;
            while (p < line.Length && char.IsAsciiDigit(line[p]))
            {
                if (p - fracStart >= 9)
                {
                    return false;
                }

                frac = (frac * 10) + (line[p] - '0');
                p++;
            }

            var digits = p - fracStart;
            if (digits == 0 || whole > 9_000_000_000L)
            {
                return false;
            }

            for (var i = digits; i < 9; i++)
            {
                frac *= 10;
            }

            timestamp = TraceTimestamp.FromNanoseconds((whole * 1_000_000_000L) + frac);
        }
        else if (p + 1 < line.Length && line[p] == 'u' && line[p + 1] == 's')
        {
            p += 2;
            if (p + 1 < line.Length && line[p] != ':' && line[p] is '$' or '@' or '*' or '#' or '!' or '+' or ' ')
            {
                p++;
            }

            timestamp = new TraceTimestamp(whole, TimestampUnit.RelativeMicroseconds);
        }
        else
        {
            timestamp = new TraceTimestamp(whole, TimestampUnit.ClockCounts);
        }

        if (p >= line.Length || line[p] != ':')
        {
            return false;
        }

        p++;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryEventName(ReadOnlySpan<char> line, scoped ref int p, out ReadOnlySpan<char> system, out ReadOnlySpan<char> name)
    {
        system = [];
        name = [];
        var start = p;
        var end = EndOfName(line, start);
        var systemEnd = -1;
        if (end > start && end + 1 < line.Length && line[end] == ':' && IsNameChar(line[end + 1]))
        {
            systemEnd = end;
            end = EndOfName(line, end + 1);
        }

        p = end;
        if (p == start || p >= line.Length || line[p] != ':' || (p + 1 < line.Length && line[p + 1] != ' '))
        {
            return false;
        }

        if (systemEnd >= 0)
        {
            system = line[start..systemEnd];
            name = line[(systemEnd + 1)..p];
        }
        else
        {
            name = line[start..p];
        }

        p++;
        return true;
    }

    /// <summary>The end of the run of name characters (letters, digits, '_') from <paramref name="from"/>.</summary>
    private static int EndOfName(ReadOnlySpan<char> line, int from)
    {
        var rel = line[from..].IndexOfAnyExcept(NameChars);
        return rel < 0 ? line.Length : from + rel;
    }

    /// <summary>Without leading and trailing spaces (a padded comm: the leading run is long, so it is searched vectorized).</summary>
    private static ReadOnlySpan<char> TrimSpaces(ReadOnlySpan<char> s)
    {
        var first = s.IndexOfAnyExcept(' ');
        return first < 0 ? [] : s[first..].TrimEnd(' ');
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static bool TryInt(ReadOnlySpan<char> s, ref int p, out int value)
    {
        value = 0;
        var start = p;
        while (p < s.Length && char.IsAsciiDigit(s[p]))
        {
            if (p - start >= 9)
            {
                return false;
            }

            value = (value * 10) + (s[p] - '0');
            p++;
        }

        return p > start;
    }

    private static int SkipSpaces(ReadOnlySpan<char> s, int p)
    {
        while (p < s.Length && s[p] == ' ')
        {
            p++;
        }

        return p;
    }

    private static int IndexOfSpace(ReadOnlySpan<char> s, int p)
    {
        var rel = s[p..].IndexOf(' ');
        return rel < 0 ? s.Length : p + rel;
    }

    private readonly record struct Columns(int Dash, int Pid, int? Tgid, int Cpu, TraceLayout Layout, int End);
}
