using System.Globalization;
using System.Text;
using SmmuLab.Replay.Events;

namespace SmmuLab.Replay.Diagnostics;

/// <summary>
/// What a parse saw, line by line: every line is counted exactly once as an event, a comment, a
/// meta (header) line, a blank line, a lost-events line, or a problem. Problems are counted by
/// reason with the first few lines of each kept as samples; memory stays bounded.
/// </summary>
public sealed class TraceDiagnostics
{
    private static readonly int ProblemCount = Enum.GetValues<TraceProblem>().Length;
    private static readonly int KindCount = Enum.GetValues<TraceEventKind>().Length;

    private readonly long[] problems = new long[ProblemCount];
    private readonly long[] events = new long[KindCount];
    private readonly List<TraceDiagnosticSample>[] samples;

    public TraceDiagnostics(int samplesPerProblem = 5, int sampleLength = 240)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samplesPerProblem);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleLength, 16);
        SamplesPerProblem = samplesPerProblem;
        SampleLength = sampleLength;
        samples = new List<TraceDiagnosticSample>[ProblemCount];
        for (var i = 0; i < ProblemCount; i++)
        {
            samples[i] = [];
        }
    }

    public int SamplesPerProblem { get; }

    public int SampleLength { get; }

    /// <summary>All lines read, including a last line without newline.</summary>
    public long Lines { get; internal set; }

    /// <summary>Lines that became DMA/IOMMU events (lost-events markers not included).</summary>
    public long Events { get; private set; }

    /// <summary><c>#</c> lines.</summary>
    public long CommentLines { get; internal set; }

    /// <summary>trace-cmd report meta lines (<c>version = 6</c>, <c>cpus=8</c>, <c>CPU n is empty</c>).</summary>
    public long HeaderLines { get; internal set; }

    public long BlankLines { get; internal set; }

    /// <summary>Lost-events lines (each is also returned as a <see cref="TraceLostEvents"/> record).</summary>
    public long LostEventLines { get; private set; }

    /// <summary>Sum of the counts those lines give.</summary>
    public long LostEvents { get; private set; }

    /// <summary>Lost-events lines that do not say how many (<c>[EVENTS DROPPED]</c>).</summary>
    public long LostEventLinesWithoutCount { get; private set; }

    /// <summary>
    /// The number of CPUs the header states (tracefs <c>#P:n</c>, trace-cmd <c>cpus=n</c>); null when
    /// no header said (<c>trace_pipe</c> output has none). The first such line wins.
    /// </summary>
    public int? CpuCount { get; internal set; }

    /// <summary>The input ended without a newline after its last line (that line was parsed when it could be).</summary>
    public bool UnterminatedLastLine { get; internal set; }

    /// <summary>Lines of any <see cref="TraceProblem"/>.</summary>
    public long NotUnderstood
    {
        get
        {
            long sum = 0;
            foreach (var n in problems)
            {
                sum += n;
            }

            return sum;
        }
    }

    public long Count(TraceProblem problem) => problems[(int)problem];

    public long EventCount(TraceEventKind kind) => events[(int)kind];

    public IReadOnlyList<TraceDiagnosticSample> Samples(TraceProblem problem) => samples[(int)problem];

    internal void CountEvent(TraceEventKind kind)
    {
        events[(int)kind]++;
        if (kind == TraceEventKind.LostEvents)
        {
            return;
        }

        Events++;
    }

    internal void CountLost(long? count)
    {
        LostEventLines++;
        if (count is { } n)
        {
            LostEvents += n;
        }
        else
        {
            LostEventLinesWithoutCount++;
        }
    }

    internal void Report(TraceProblem problem, long lineNumber, ReadOnlySpan<char> line, string detail)
    {
        problems[(int)problem]++;
        var kept = samples[(int)problem];
        if (kept.Count < SamplesPerProblem)
        {
            var text = line.Length > SampleLength ? line[..SampleLength] : line;
            kept.Add(new TraceDiagnosticSample(lineNumber, text.ToString(), detail));
        }
    }

    /// <summary>A plain-text summary: counts, then each problem with its samples.</summary>
    public string Summarize()
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"lines {Lines}: events {Events}, comments {CommentLines}, headers {HeaderLines}, ")
          .Append(inv, $"blank {BlankLines}, lost-event lines {LostEventLines} ({LostEvents} events");
        if (LostEventLinesWithoutCount > 0)
        {
            sb.Append(inv, $" + {LostEventLinesWithoutCount} lines without a count");
        }

        sb.Append(inv, $"), not understood {NotUnderstood}");
        if (UnterminatedLastLine)
        {
            sb.Append(", last line unterminated");
        }

        sb.Append('\n');
        for (var i = 0; i < ProblemCount; i++)
        {
            if (problems[i] == 0)
            {
                continue;
            }

            sb.Append(inv, $"  {(TraceProblem)i}: {problems[i]}\n");
            foreach (var s in samples[i])
            {
                sb.Append(inv, $"    line {s.LineNumber} ({s.Detail}): {s.Text}\n");
            }
        }

        return sb.ToString();
    }
}
