namespace SmmuLab.Replay.Parsing;

/// <summary>The outcome of turning an event line's name and payload into a typed event.</summary>
internal enum PayloadStatus
{
    Parsed,
    Unsupported,
    Malformed,
    FailedToParse,
}
