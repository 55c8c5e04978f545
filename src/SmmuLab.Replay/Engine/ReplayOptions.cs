using SmmuLab.Driver.Invalidation;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Replay.Parsing;

namespace SmmuLab.Replay.Engine;

/// <summary>How a trace is replayed.</summary>
public sealed record ReplayOptions
{
    /// <summary>CPUs assumed when the trace's header does not state its count (<c>trace_pipe</c> output).</summary>
    public const int DefaultCpuCount = 64;

    /// <summary>The invalidation design the driver runs (<see cref="InvalidationDesigns"/>).</summary>
    public string Design { get; init; } = InvalidationDesigns.Linux;

    public ReplayMode Mode { get; init; } = ReplayMode.Strict;

    /// <summary>
    /// CPUs of the DMA layer's per-CPU state. Null: the count the trace's header states, else
    /// <see cref="DefaultCpuCount"/>. Events on a CPU at or above it are folded (CPU modulo count).
    /// </summary>
    public int? CpuCount { get; init; }

    public TraceParserOptions Parser { get; init; } = new();

    /// <summary>
    /// Parse the trace on a thread of its own, ahead of the replay (<see cref="TraceEventReader"/>),
    /// so the two overlap on two cores; the result is the same. Null: when the machine has more than one CPU.
    /// </summary>
    public bool? ParseAhead { get; init; }

    /// <summary>Lines kept as examples per kind of replay problem (driver refusals, unmatched unmaps).</summary>
    public int SamplesPerProblem { get; init; } = 5;

    /// <summary>
    /// Told of each SMMU the replay's machine builds, once its driver has probed it: the design,
    /// the SMMU's name and the model (an exporter attaches its observer here; <c>replay --perfetto</c>).
    /// </summary>
    public Action<string, string, SmmuDevice>? SmmuAdded { get; init; }
}
