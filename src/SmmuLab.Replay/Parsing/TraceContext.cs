namespace SmmuLab.Replay.Parsing;

/// <summary>
/// The context columns of an event line: task (comm, as printed; <c>&lt;...&gt;</c> when the
/// kernel had no name), pid, tgid (only with the <c>record-tgid</c> option; null when absent or
/// printed as dashes), CPU, flag column (null when <c>irq-info</c> was off) and time.
/// </summary>
internal readonly record struct TraceContext(string Task, int Pid, int? Tgid, int Cpu, LatencyFlags? Flags, TraceTimestamp Timestamp);
