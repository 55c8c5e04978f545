namespace SmmuLab.Replay.Engine;

/// <summary>
/// Replaying one event failed in a way the engine does not expect (a fault of the simulation, not
/// of the trace): which line, and the original exception as the inner one.
/// </summary>
public sealed class ReplayFailedException(long lineNumber, Exception inner)
    : Exception($"line {lineNumber}: {inner.Message}", inner)
{
    public long LineNumber { get; } = lineNumber;
}
