using System.Runtime.CompilerServices;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// One line split into its parts without allocating: the spans point into the caller's line.
/// <see cref="Split"/> accepts the tracefs <c>trace</c>/<c>trace_pipe</c> layout (pid width 5 or 7,
/// optional tgid column, optional 4- or 5-column flags, seconds with any number of decimals or a
/// raw counter), the latency layout, and the <c>trace-cmd report</c> layout with its meta lines.
/// </summary>
internal readonly ref struct TraceLine
{
    public TraceLineKind Kind { get; init; }

    public TraceLayout Layout { get; init; }

    /// <summary>The comm as printed, padding removed.</summary>
    public ReadOnlySpan<char> Task { get; init; }

    public int Pid { get; init; }

    public int? Tgid { get; init; }

    /// <summary>The CPU of an event or of a lost-events line.</summary>
    public int Cpu { get; init; }

    public LatencyFlags? Flags { get; init; }

    public TraceTimestamp Timestamp { get; init; }

    /// <summary>The <c>system</c> of a <c>system:event</c> name; empty when only the event name was printed.</summary>
    public ReadOnlySpan<char> System { get; init; }

    public ReadOnlySpan<char> EventName { get; init; }

    /// <summary>The event text after <c>"name: "</c> (and after trace-cmd's padding).</summary>
    public ReadOnlySpan<char> Payload { get; init; }

    /// <summary>Events lost on <see cref="Cpu"/>; null when the line does not say how many.</summary>
    public long? LostCount { get; init; }

    /// <summary>The CPU count a trace-cmd <c>cpus=N</c> meta line states.</summary>
    public int? CpuCount { get; init; }

    /// <summary>Why a line is <see cref="TraceLineKind.Malformed"/>.</summary>
    public string? Problem { get; init; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static TraceLine Split(ReadOnlySpan<char> line)
    {
        var lead = line.IndexOfAnyExcept(' ', '\t');
        var trimmed = lead < 0 ? [] : line[lead..];
        if (trimmed.IsEmpty)
        {
            return new TraceLine { Kind = TraceLineKind.Blank };
        }

        if (line[0] == '#')
        {
            return new TraceLine { Kind = TraceLineKind.Comment };
        }

        if (EventLineSplitter.TrySplit(line, out var ev, out var problem))
        {
            return ev;
        }

        if (TraceMetaLine.TryRecognize(trimmed, out var meta))
        {
            return meta;
        }

        if (trimmed[0] == '#')
        {
            return new TraceLine { Kind = TraceLineKind.Comment };
        }

        return new TraceLine { Kind = TraceLineKind.Malformed, Problem = problem };
    }
}
