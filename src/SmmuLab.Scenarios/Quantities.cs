using System.Globalization;

namespace SmmuLab.Scenarios;

/// <summary>
/// Sizes and durations as a scenario writes them: <c>4096</c>, <c>0x1000</c>, <c>"4KiB"</c>,
/// <c>"2 MiB"</c>, <c>"1GiB"</c> (binary units, with or without the i: K, KB and KiB are all 1024);
/// <c>"500ns"</c>, <c>"10us"</c>, <c>"1ms"</c>, <c>"2s"</c>.
/// </summary>
internal static class Quantities
{
    private static readonly (string Suffix, int Shift)[] ByteUnits =
    [
        ("kib", 10), ("kb", 10), ("k", 10),
        ("mib", 20), ("mb", 20), ("m", 20),
        ("gib", 30), ("gb", 30), ("g", 30),
        ("tib", 40), ("tb", 40), ("t", 40),
        ("b", 0),
    ];

    private static readonly (string Suffix, long TicksPerUnit, long Divisor)[] TimeUnits =
    [
        ("ns", 1, 100), ("us", 10, 1), ("µs", 10, 1), ("ms", TimeSpan.TicksPerMillisecond, 1), ("s", TimeSpan.TicksPerSecond, 1),
    ];

    /// <summary>A byte count: an unsigned number (decimal or 0x hex, '_' allowed) with an optional binary unit.</summary>
    public static bool TryParseBytes(string text, out ulong bytes)
    {
        bytes = 0;
        var t = text.Trim().Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        var shift = 0;
        if (!t.StartsWith("0x", StringComparison.Ordinal))
        {
            foreach (var (suffix, s) in ByteUnits)
            {
                if (t.EndsWith(suffix, StringComparison.Ordinal))
                {
                    t = t[..^suffix.Length].TrimEnd();
                    shift = s;
                    break;
                }
            }
        }

        if (!TryParseNumber(t, out var n) || (shift > 0 && n > ulong.MaxValue >> shift))
        {
            return false;
        }

        bytes = n << shift;
        return true;
    }

    /// <summary>A duration: a non-negative number with a unit (ns, us, ms, s); nanoseconds round down to 100 ns.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var t = text.Trim().Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        foreach (var (suffix, ticks, divisor) in TimeUnits.OrderByDescending(u => u.Suffix.Length))
        {
            if (!t.EndsWith(suffix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!ulong.TryParse(t[..^suffix.Length].TrimEnd(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                || n > (ulong)(TimeSpan.MaxValue.Ticks / ticks))
            {
                return false;
            }

            duration = TimeSpan.FromTicks((long)n * ticks / divisor);
            return true;
        }

        return false;
    }

    /// <summary>Bytes as a short binary-unit text: <c>4KiB</c>, <c>1.5MiB</c>, <c>100B</c>.</summary>
    public static string FormatBytes(ulong bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return $"{value.ToString("0.##", CultureInfo.InvariantCulture)}{units[unit]}";
    }

    private static bool TryParseNumber(string t, out ulong n) =>
        t.StartsWith("0x", StringComparison.Ordinal)
            ? ulong.TryParse(t[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out n)
            : ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out n);
}
