namespace SmmuLab.Replay.Parsing;

/// <summary>Lines handed out as spans into a reused buffer, each valid until the next call.</summary>
internal interface ILineSource
{
    /// <summary>The next line without its <c>\n</c> or <c>\r\n</c>; false at the end of the input.</summary>
    bool TryReadLine(out ReadOnlySpan<char> line, out LineEnding ending);
}
