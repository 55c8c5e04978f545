using SmmuLab.Replay.Diagnostics;
using SmmuLab.Replay.Events;
using SmmuLab.Replay.Parsing;

namespace SmmuLab.Replay.Tests;

/// <summary>Parses test text in one go.</summary>
internal static class TraceText
{
    public static (List<ParsedTraceEvent> Records, TraceDiagnostics Diagnostics) Parse(string text, TraceParserOptions? options = null)
    {
        var parser = new TraceParser(new StringReader(text), options);
        var records = parser.ReadAll().ToList();
        return (records, parser.Diagnostics);
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
