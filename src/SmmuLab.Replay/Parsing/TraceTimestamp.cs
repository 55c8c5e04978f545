using System.Globalization;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// A record's time as printed. <see cref="TimestampUnit.Nanoseconds"/> values are exact for
/// every precision the tools print (tracefs and trace-cmd: 6 decimals; trace-cmd <c>-t</c>: 9).
/// </summary>
public readonly record struct TraceTimestamp(long Value, TimestampUnit Unit)
{
    public static TraceTimestamp FromNanoseconds(long nanoseconds) => new(nanoseconds, TimestampUnit.Nanoseconds);

    public override string ToString() => Unit switch
    {
        TimestampUnit.Nanoseconds => string.Create(
            CultureInfo.InvariantCulture, $"{Value / 1_000_000_000}.{Value % 1_000_000_000:D9}"),
        TimestampUnit.ClockCounts => Value.ToString(CultureInfo.InvariantCulture),
        TimestampUnit.RelativeMicroseconds => string.Create(CultureInfo.InvariantCulture, $"{Value}us"),
        _ => "-",
    };
}
