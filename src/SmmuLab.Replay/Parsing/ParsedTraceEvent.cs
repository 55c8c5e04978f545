using SmmuLab.Replay.Events;

namespace SmmuLab.Replay.Parsing;

/// <summary>One parsed event with the 1-based line it came from and its context columns.</summary>
internal readonly record struct ParsedTraceEvent(long LineNumber, TraceContext Context, ITraceEvent Event);
