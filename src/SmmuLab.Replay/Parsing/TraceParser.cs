using System.Globalization;
using System.Runtime.CompilerServices;
using SmmuLab.Replay.Diagnostics;
using SmmuLab.Replay.Events;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// Streams typed DMA-API and IOMMU events out of tracefs <c>trace</c>/<c>trace_pipe</c> text or
/// <c>trace-cmd report</c> output, one line at a time: nothing is buffered beyond the current
/// line, so inputs of any size parse in bounded memory. Every line is accounted for in
/// <see cref="Diagnostics"/>; a bad line never throws.
/// </summary>
internal sealed class TraceParser
{
    private readonly ILineSource lines;
    private readonly NameTable names;
    private readonly NameTable tasks;
    private readonly string tooLongDetail;
    private bool sawEvent;

    /// <summary>A parser of text already decoded (tests, strings); the line-length limit is in characters.</summary>
    public TraceParser(TextReader reader, TraceParserOptions? options = null)
        : this(new LineReader(reader, (options ?? new TraceParserOptions()).MaxLineLength), options, "characters")
    {
    }

    /// <summary>A parser of UTF-8 bytes (a trace file): see <see cref="ByteLineReader"/>; the line-length limit is in bytes.</summary>
    public TraceParser(Stream stream, TraceParserOptions? options = null)
        : this(new ByteLineReader(stream, (options ?? new TraceParserOptions()).MaxLineLength), options, "bytes")
    {
    }

    private TraceParser(ILineSource lines, TraceParserOptions? options, string unit)
    {
        options ??= new TraceParserOptions();
        this.lines = lines;
        names = new NameTable(options.NameTableCapacity);
        tasks = new NameTable(options.NameTableCapacity);
        Diagnostics = new TraceDiagnostics(options.SamplesPerProblem, options.SampleLength);
        tooLongDetail = string.Create(CultureInfo.InvariantCulture, $"longer than {options.MaxLineLength} {unit}");
    }

    public TraceDiagnostics Diagnostics { get; }

    /// <summary>The 1-based number of the last line read.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Parses a whole input; <paramref name="diagnostics"/> is filled as the sequence is enumerated.</summary>
    public static IEnumerable<ParsedTraceEvent> Parse(TextReader reader, out TraceDiagnostics diagnostics, TraceParserOptions? options = null)
    {
        var parser = new TraceParser(reader, options);
        diagnostics = parser.Diagnostics;
        return parser.ReadAll();
    }

    public IEnumerable<ParsedTraceEvent> ReadAll()
    {
        while (TryRead(out var record))
        {
            yield return record;
        }
    }

    /// <summary>The slot <see cref="TryRead"/> parses into.</summary>
    private TraceEventSlot Current { get; } = new();

    /// <summary>
    /// The CPU count the header stated when the first event was read (null before it, or when the
    /// header said none): what a replay starts with, whatever later lines say.
    /// </summary>
    public int? CpuCountAtFirstEvent { get; private set; }

    /// <summary>The next event (or lost-events marker) as a record of its own; false at the end of the input.</summary>
    public bool TryRead(out ParsedTraceEvent record)
    {
        if (!TryReadNext(Current))
        {
            record = default;
            return false;
        }

        record = new ParsedTraceEvent(Current.LineNumber, Current.Context, Current.Box());
        return true;
    }

    /// <summary>
    /// Reads to the next event (or lost-events marker) and leaves it, with its line number and
    /// context, in <paramref name="slot"/>: nothing is allocated per line. False at the end of the input.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReadNext(TraceEventSlot slot)
    {
        var diag = Diagnostics;
        while (lines.TryReadLine(out var line, out var ending))
        {
            var number = ++LineNumber;
            diag.Lines++;
            if (ending == LineEnding.TooLong)
            {
                diag.Report(TraceProblem.LineTooLong, number, line, tooLongDetail);
                continue;
            }

            var unterminated = ending == LineEnding.EndOfInput;
            if (unterminated)
            {
                diag.UnterminatedLastLine = true;
            }

            var split = TraceLine.Split(line);
            switch (split.Kind)
            {
                case TraceLineKind.Blank:
                    diag.BlankLines++;
                    continue;
                case TraceLineKind.Comment:
                    diag.CommentLines++;
                    if (diag.CpuCount is null && TraceMetaLine.CpuCountOfComment(line) is { } p)
                    {
                        diag.CpuCount = p;
                    }

                    continue;
                case TraceLineKind.Header:
                    diag.HeaderLines++;
                    diag.CpuCount ??= split.CpuCount;
                    continue;
                case TraceLineKind.LostEvents:
                    diag.CountLost(split.LostCount);
                    diag.CountEvent(TraceEventKind.LostEvents);
                    slot.LineNumber = number;
                    slot.Context = new TraceContext(string.Empty, 0, null, split.Cpu, null, default);
                    slot.Kind = TraceEventKind.LostEvents;
                    slot.Lost = new TraceLostEvents(split.Cpu, split.LostCount);
                    return FirstEventSeen();
                case TraceLineKind.Malformed:
                    diag.Report(Classify(line, unterminated, TraceProblem.MalformedContext), number, line, split.Problem ?? string.Empty);
                    continue;
            }

            var status = TraceEventParser.Parse(split.System, split.EventName, split.Payload, names, slot, out var problem);
            if (status == PayloadStatus.Parsed)
            {
                diag.CountEvent(slot.Kind);
                slot.LineNumber = number;
                slot.Context = new TraceContext(tasks.Get(split.Task), split.Pid, split.Tgid, split.Cpu, split.Flags, split.Timestamp);
                return FirstEventSeen();
            }

            var reason = status switch
            {
                PayloadStatus.Unsupported => unterminated ? TraceProblem.TruncatedLine : TraceProblem.UnsupportedEvent,
                PayloadStatus.FailedToParse => unterminated ? TraceProblem.TruncatedLine : TraceProblem.FailedToParse,
                _ => Classify(line, unterminated, TraceProblem.MalformedPayload),
            };
            diag.Report(reason, number, line, problem);
        }

        return false;
    }

    private bool FirstEventSeen()
    {
        if (!sawEvent)
        {
            sawEvent = true;
            CpuCountAtFirstEvent = Diagnostics.CpuCount;
        }

        return true;
    }

    private static TraceProblem Classify(ReadOnlySpan<char> line, bool unterminated, TraceProblem otherwise) =>
        unterminated ? TraceProblem.TruncatedLine
        : line.ContainsAnyInRange('\u0000', '\u0008') || line.ContainsAnyInRange('\u000B', '\u001F')
            || line.Contains('\u007F') || line.Contains('\uFFFD') ? TraceProblem.Garbage
        : otherwise;
}
