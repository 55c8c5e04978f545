using SmmuLab.Replay.Events;
using SmmuLab.Replay.Parsing;

namespace SmmuLab.Replay.Engine;

/// <summary>Where the event being replayed came from: its 1-based line, context columns and kind.</summary>
internal readonly record struct EventLine(long LineNumber, TraceContext Context, TraceEventKind Kind);
