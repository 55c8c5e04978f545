using System.Collections;
using System.Text;
using System.Text.RegularExpressions;
using SmmuLab.Replay.Diagnostics;
using SmmuLab.Replay.Events;
using SmmuLab.Replay.Parsing;

namespace SmmuLab.Replay.Tests;

/// <summary>
/// Parses test text in one go, both as text (a <see cref="TextReader"/>) and as the UTF-8 bytes
/// of a file (a <see cref="Stream"/>, as <c>smmulab replay</c> reads), and checks that the two
/// agree, so every parsing test covers both line readers.
/// </summary>
internal static class TraceText
{
    public static (List<ParsedTraceEvent> Records, TraceDiagnostics Diagnostics) Parse(string text, TraceParserOptions? options = null)
    {
        var parser = new TraceParser(new StringReader(text), options);
        var records = parser.ReadAll().ToList();
        var bytes = new TraceParser(new MemoryStream(Encoding.UTF8.GetBytes(text)), options);
        var fromBytes = bytes.ReadAll().ToList();
        Assert.Equal(records.Select(Describe), fromBytes.Select(Describe));
        Assert.Equal(
            Regex.Replace(parser.Diagnostics.Summarize(), @"longer than (\d+) characters", "longer than $1 bytes"),
            bytes.Diagnostics.Summarize());
        return (records, parser.Diagnostics);
    }

    /// <summary>A record as text, with the contents of its arrays (record equality compares arrays by reference).</summary>
    private static string Describe(ParsedTraceEvent record)
    {
        var sb = new StringBuilder(record.ToString());
        foreach (var property in record.Event.GetType().GetProperties())
        {
            if (property.GetValue(record.Event) is IEnumerable items and not string)
            {
                sb.Append(' ').Append(property.Name).Append('=').AppendJoin(',', items.Cast<object>());
            }
        }

        return sb.ToString();
    }

    /// <summary>The one event of a one-line text (newline added); fails on any problem.</summary>
    public static ParsedTraceEvent Single(string line)
    {
        var (records, diagnostics) = Parse(line + "\n");
        Assert.True(diagnostics.NotUnderstood == 0, diagnostics.Summarize());
        return Assert.Single(records);
    }

    public static T Event<T>(string line)
        where T : ITraceEvent => Assert.IsType<T>(Single(line).Event);

    /// <summary>The problem a one-line text is counted under, with its sample.</summary>
    public static (TraceProblem Problem, TraceDiagnosticSample Sample) Problem(string line)
    {
        var (records, diagnostics) = Parse(line + "\n");
        Assert.Empty(records);
        Assert.Equal(1, diagnostics.NotUnderstood);
        var problem = Enum.GetValues<TraceProblem>().Single(p => diagnostics.Count(p) == 1);
        return (problem, Assert.Single(diagnostics.Samples(problem)));
    }
}
