namespace SmmuLab.Tracing;

/// <summary>A trace line that is not a <see cref="TraceRecord"/>: <c>LINE: PROBLEM</c>.</summary>
public sealed class TraceFormatException(int line, string problem)
    : FormatException(line > 0 ? $"{line}: {problem}" : problem)
{
    /// <summary>The 1-based line number, or 0 when the line was read on its own.</summary>
    public int Line { get; } = line;
}
