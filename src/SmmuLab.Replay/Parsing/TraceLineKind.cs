namespace SmmuLab.Replay.Parsing;

/// <summary>What one line of a tracefs or trace-cmd text file is.</summary>
public enum TraceLineKind
{
    /// <summary>An event record: context columns, event name, payload.</summary>
    Event,

    /// <summary>Empty or only spaces.</summary>
    Blank,

    /// <summary>A <c>#</c> line: the tracefs header and legend, <c>##### CPU n buffer started ####</c>.</summary>
    Comment,

    /// <summary>trace-cmd report meta lines: <c>version = 6</c>, <c>cpus=8</c>, <c>CPU 3 is empty</c>, <c>CPU:1 [SUBBUFFER START]</c>.</summary>
    Header,

    /// <summary><c>CPU:2 [LOST 17 EVENTS]</c> (tracefs) or <c>CPU:2 [17 EVENTS DROPPED]</c> (trace-cmd).</summary>
    LostEvents,

    /// <summary>None of the above; <see cref="TraceLine.Problem"/> says why.</summary>
    Malformed,
}
