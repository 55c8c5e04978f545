using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Dma;

namespace SmmuLab.Machines.Bench;

/// <summary>
/// What one <see cref="DmaMapBenchmark"/> run measured: the latencies Linux's tool reports, and
/// what the simulated SMMU did meanwhile (commands on its CMDQ and on every VCMDQ, modeled
/// hardware time) and the DMA layer's counters. Counts cover the run only (from the first map to
/// the teardown flush, if any).
/// </summary>
public sealed record DmaMapBenchmarkResult
{
    public required DmaMapBenchmarkOptions Options { get; init; }

    /// <summary>The invalidation design's name (<c>linux</c>, <c>legacy</c>).</summary>
    public required string Design { get; init; }

    /// <summary>The device mapped for and its SMMU.</summary>
    public required string Device { get; init; }

    public required string Smmu { get; init; }

    /// <summary>Wall time from the start signal until the last thread stopped.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Map/unmap loops completed, by thread (= CPU number).</summary>
    public required IReadOnlyList<long> ThreadLoops { get; init; }

    /// <summary>Map latencies, 100 ns units, all threads merged.</summary>
    public required LatencyAccumulator Map { get; init; }

    /// <summary>Unmap latencies, 100 ns units, all threads merged.</summary>
    public required LatencyAccumulator Unmap { get; init; }

    /// <summary>Map latencies in nanoseconds, bucketed (empty when the run kept none).</summary>
    public LatencyHistogram MapHistogram { get; init; } = new();

    /// <summary>Unmap latencies in nanoseconds, bucketed (empty when the run kept none).</summary>
    public LatencyHistogram UnmapHistogram { get; init; } = new();

    /// <summary>Commands the SMMU executed, its CMDQ and the VCMDQs together, non-zero counts in opcode order.</summary>
    public required IReadOnlyList<(Opcode Opcode, long Count)> Commands { get; init; }

    /// <summary>Commands consumed from the SMMU's own CMDQ.</summary>
    public required long CmdqCommands { get; init; }

    /// <summary>Commands consumed per VCMDQ (global index), or null when the SMMU has no CMDQV.</summary>
    public required IReadOnlyList<long>? VcmdqCommands { get; init; }

    /// <summary>Modeled SMMU hardware time (command fetch, invalidation, CMD_SYNC, ...), ns.</summary>
    public required double ModeledNanoseconds { get; init; }

    /// <summary>The DMA layer's counters at the end (maps, IOVA cache, flush-queue flushes by cause).</summary>
    public required DmaStatisticsSnapshot Dma { get; init; }

    /// <summary>How throughput scaled from one thread to N, when it was measured (<see cref="DmaMapBenchmark.MeasureScaling"/>); null otherwise.</summary>
    public ThreadScaling? Scaling { get; init; }

    /// <summary>Loops of all threads.</summary>
    public long Loops => ThreadLoops.Sum();

    /// <summary>Every command, CMD_SYNC included.</summary>
    public long TotalCommands => Commands.Sum(c => c.Count);

    public long Syncs => CommandCount(Opcode.CMD_SYNC);

    /// <summary>Map+unmap pairs per second of wall time, all threads.</summary>
    public double LoopsPerSecond => Elapsed <= TimeSpan.Zero ? 0 : Loops / Elapsed.TotalSeconds;

    /// <summary>Commands per map+unmap pair (0 without loops).</summary>
    public double CommandsPerLoop => PerLoop(TotalCommands);

    public double SyncsPerLoop => PerLoop(Syncs);

    public double ModeledNanosecondsPerLoop => PerLoop(ModeledNanoseconds);

    public long CommandCount(Opcode op)
    {
        foreach (var (o, n) in Commands)
        {
            if (o == op)
            {
                return n;
            }
        }

        return 0;
    }

    public double PerLoop(double total) => Loops == 0 ? 0 : total / Loops;
}
