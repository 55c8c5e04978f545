using SmmuLab.Driver.Dma;
using SmmuLab.Replay.Diagnostics;
using SmmuLab.Replay.Parsing;

namespace SmmuLab.Replay.Engine;

/// <summary>
/// The outcome of one replay: the input's diagnostics, what happened to each kind of event, the
/// SMMU cost by operation, the DMA layer's numbers per domain, and how the input ended.
/// SmmuLab.Reporting formats it.
/// </summary>
public sealed record ReplayReport
{
    public required string Source { get; init; }

    public required string Machine { get; init; }

    public required string Design { get; init; }

    public required ReplayMode Mode { get; init; }

    /// <summary>CPUs of the DMA layer's per-CPU state.</summary>
    public required int CpuCount { get; init; }

    /// <summary>Where <see cref="CpuCount"/> came from: "option", "header" or "default".</summary>
    public required string CpuCountSource { get; init; }

    public required TraceDiagnostics Diagnostics { get; init; }

    public required ReplayCounters Counters { get; init; }

    public required ReplayProblems Problems { get; init; }

    /// <summary>Devices created because the machine did not have them ("name (SMMU s, StreamID 0x100)").</summary>
    public required IReadOnlyList<string> CreatedDevices { get; init; }

    /// <summary>Devices the trace used, in order of first use.</summary>
    public required IReadOnlyList<string> Devices { get; init; }

    /// <summary>What the machine set-up changed or could not do.</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>Time of the first and last timestamped events (unit None when the trace had none).</summary>
    public required TraceTimestamp FirstTimestamp { get; init; }

    public required TraceTimestamp LastTimestamp { get; init; }

    /// <summary>SMMU work by <see cref="ReplayOperation"/> (indexed by its value).</summary>
    public required IReadOnlyList<SmmuCost> CostByOperation { get; init; }

    /// <summary>The DMA layer of each domain that had DMA-API calls, at the end.</summary>
    public required IReadOnlyList<(string Domain, DmaStatisticsSnapshot Statistics)> DmaDomains { get; init; }

    public required ReplayEnd End { get; init; }

    /// <summary>The message of a <see cref="ReplayEnd.ReadError"/>.</summary>
    public string? ReadError { get; init; }

    /// <summary>The trace time covered, in the timestamps' unit (nanoseconds, or counts of a counter clock); 0 with fewer than two timestamps.</summary>
    public long Duration => FirstTimestamp.Unit == TimestampUnit.None ? 0 : ToNanoseconds(LastTimestamp) - ToNanoseconds(FirstTimestamp);

    /// <summary><see cref="Duration"/> in seconds (counter clocks taken as nanoseconds).</summary>
    public double DurationSeconds => Duration / 1e9;

    /// <summary>SMMU work of the replay itself: every operation but <see cref="ReplayOperation.Setup"/>.</summary>
    public SmmuCost ReplayCost
    {
        get
        {
            var sum = default(SmmuCost);
            for (var i = 0; i < CostByOperation.Count; i++)
            {
                if (i != (int)ReplayOperation.Setup)
                {
                    sum += CostByOperation[i];
                }
            }

            return sum;
        }
    }

    public SmmuCost Cost(ReplayOperation operation) => CostByOperation[(int)operation];

    /// <summary>A timestamp in nanoseconds (microseconds of the latency format scaled; counter clocks as they are).</summary>
    public static long ToNanoseconds(TraceTimestamp t) => t.Unit == TimestampUnit.RelativeMicroseconds ? t.Value * 1000 : t.Value;
}
