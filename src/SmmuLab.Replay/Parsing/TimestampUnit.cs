namespace SmmuLab.Replay.Parsing;

/// <summary>What a <see cref="TraceTimestamp"/> counts.</summary>
public enum TimestampUnit
{
    /// <summary>No timestamp (lost-event lines).</summary>
    None,

    /// <summary>A nanosecond clock printed as seconds with 1 to 9 decimals (<c>1234.567890</c>).</summary>
    Nanoseconds,

    /// <summary>A counter clock printed as a plain integer (<c>x86-tsc</c>, <c>counter</c>): raw counts.</summary>
    ClockCounts,

    /// <summary>The latency format: microseconds since the start of the buffer (<c>12us</c>).</summary>
    RelativeMicroseconds,
}
