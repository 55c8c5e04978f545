using SmmuLab.Driver.Dma;

namespace SmmuLab.Machines.Workloads;

/// <summary>
/// A generated workload: <see cref="Count"/> buffers mapped through the DMA API (IOVAs allocated
/// the way iommu-dma allocates them), each DMAed by the device and unmapped, by
/// <see cref="Threads"/> OS threads, thread i being CPU i.
/// </summary>
public sealed record WorkloadSpec
{
    /// <summary>Most threads a workload may use (the simulated kernel's CPUs).</summary>
    public const int MaxThreads = 64;

    /// <summary>Largest buffer: 64 MiB (a DMA segment of a device with a large max_segment_size).</summary>
    public const ulong MaxBufferBytes = 64UL << 20;

    /// <summary>Most buffers in one batch (map-many-unmap-many) or one scatter-gather list.</summary>
    public const int MaxBatch = 4096;

    public WorkloadPattern Pattern { get; init; } = WorkloadPattern.MapDmaUnmap;

    /// <summary>Buffers mapped, DMAed and unmapped in all, over all threads.</summary>
    public long Count { get; init; } = 1;

    /// <summary>Buffer sizes in bytes; each buffer's size is drawn from these (with <see cref="Weights"/>).</summary>
    public IReadOnlyList<ulong> Sizes { get; init; } = [4096];

    /// <summary>Relative weights of <see cref="Sizes"/> (same length), or null for equal weights.</summary>
    public IReadOnlyList<ulong>? Weights { get; init; }

    /// <summary>Buffers per batch (map-many-unmap-many) or per scatter-gather list; 1 for map-dma-unmap.</summary>
    public int Batch { get; init; } = 1;

    public int Threads { get; init; } = 1;

    /// <summary>The mapping direction; the device reads memory for to-device, writes it otherwise.</summary>
    public DmaDirection Direction { get; init; } = DmaDirection.Bidirectional;

    /// <summary>Modeled time each thread spends per buffer (drives the flush queue's timeout); zero: time does not move.</summary>
    public TimeSpan Interval { get; init; }

    /// <summary>Seed of the size draws (thread i uses seed + i).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The largest buffer size.</summary>
    public ulong MaxSize => Sizes.Max();

    /// <summary>Physical memory one thread's buffers take: a batch of the largest size.</summary>
    public ulong BytesPerThread => MaxSize * (ulong)Math.Max(1, Batch);

    /// <summary>What is wrong with these settings, or null.</summary>
    public string? Problem()
    {
        if (Count < 1)
        {
            return "count must be at least 1";
        }

        if (Threads is < 1 or > MaxThreads)
        {
            return $"threads must be 1..{MaxThreads}";
        }

        if (Batch is < 1 or > MaxBatch)
        {
            return $"batch must be 1..{MaxBatch}";
        }

        if (Sizes.Count == 0 || Sizes.Any(s => s == 0 || s > MaxBufferBytes))
        {
            return $"every size must be 1 byte..{MaxBufferBytes >> 20} MiB";
        }

        if (Weights is { } w && (w.Count != Sizes.Count || w.All(x => x == 0)))
        {
            return w.Count != Sizes.Count ? $"weights has {w.Count} entries for {Sizes.Count} sizes" : "weights must not all be zero";
        }

        if (Pattern == WorkloadPattern.ScatterGather && Sizes.Any(s => s > uint.MaxValue))
        {
            return "a scatter-gather segment is at most 4 GiB";
        }

        return Interval < TimeSpan.Zero ? "interval must not be negative" : null;
    }
}
