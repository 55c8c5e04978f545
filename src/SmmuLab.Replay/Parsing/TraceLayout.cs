namespace SmmuLab.Replay.Parsing;

/// <summary>Which context layout an event line used.</summary>
internal enum TraceLayout
{
    /// <summary>
    /// <c>comm-pid [(tgid)] [CPU] [flags] seconds.micros: event: payload</c> — tracefs <c>trace</c> and
    /// <c>trace_pipe</c>, and <c>trace-cmd report</c> (with or without its flag column).
    /// </summary>
    Standard,

    /// <summary>
    /// The non-verbose latency format (<c>options/latency-format</c>, <c>trace-cmd report -l</c>):
    /// <c>comm-pid CPUflags time: event: payload</c>, the CPU without brackets and the flags glued to it.
    /// </summary>
    Latency,
}
