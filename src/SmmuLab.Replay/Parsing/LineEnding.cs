namespace SmmuLab.Replay.Parsing;

/// <summary>How a line handed out by <see cref="LineReader"/> ended.</summary>
internal enum LineEnding
{
    /// <summary>With <c>\n</c> (or <c>\r\n</c>).</summary>
    Newline,

    /// <summary>The input ended first: the last line has no newline.</summary>
    EndOfInput,

    /// <summary>Longer than the limit: the span is the line's first part, the rest is skipped.</summary>
    TooLong,
}
