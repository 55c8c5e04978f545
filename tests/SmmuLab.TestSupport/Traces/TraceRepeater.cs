using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SmmuLab.TestSupport.Traces;

/// <summary>
/// A long trace made of one trace's events repeated, each copy's timestamps shifted past the end
/// of the one before (by the trace's span plus a gap), header lines kept once. The replay tests and
/// the replay benchmark measure at scale with it.
/// </summary>
public static partial class TraceRepeater
{
    public static string Repeat(string trace, int times, long gapMicroseconds = 1000)
    {
        using var writer = new StringWriter(new StringBuilder(trace.Length * times), CultureInfo.InvariantCulture);
        Repeat(trace, times, writer, gapMicroseconds);
        return writer.ToString();
    }

    /// <summary>The same, written to <paramref name="output"/> as it is made (for files larger than a string can hold).</summary>
    public static void Repeat(string trace, int times, TextWriter output, long gapMicroseconds = 1000)
    {
        ArgumentNullException.ThrowIfNull(output);
        var lines = trace.Split('\n');
        var events = lines.Where(l => Stamp().IsMatch(l)).ToList();
        var first = Micros(Stamp().Match(events[0]));
        var span = Micros(Stamp().Match(events[^1])) - first + gapMicroseconds;
        var sb = new StringBuilder();
        foreach (var l in lines.TakeWhile(l => !Stamp().IsMatch(l)))
        {
            sb.Append(l).Append('\n');
        }

        for (var k = 0; k < times; k++)
        {
            foreach (var l in lines.SkipWhile(l => !Stamp().IsMatch(l)))
            {
                if (l.Length == 0)
                {
                    continue;
                }

                var m = Stamp().Match(l);
                if (!m.Success)
                {
                    sb.Append(l).Append('\n');
                    continue;
                }

                var us = Micros(m) + (k * span);
                sb.Append(l, 0, m.Index)
                    .Append(CultureInfo.InvariantCulture, $" {us / 1_000_000}.{us % 1_000_000:D6}:")
                    .Append(l, m.Index + m.Length, l.Length - m.Index - m.Length)
                    .Append('\n');
            }

            output.Write(sb);
            sb.Clear();
        }

        output.Write(sb);
    }

    private static long Micros(Match m) =>
        (long.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) * 1_000_000) + long.Parse(m.Groups[2].ValueSpan, CultureInfo.InvariantCulture);

    [GeneratedRegex(@" (\d+)\.(\d{6}):")]
    private static partial Regex Stamp();
}
