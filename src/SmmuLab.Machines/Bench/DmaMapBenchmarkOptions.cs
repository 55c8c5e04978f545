using SmmuLab.Driver.Dma;

namespace SmmuLab.Machines.Bench;

/// <summary>
/// One run of <see cref="DmaMapBenchmark"/>: the inputs of Linux's <c>struct map_benchmark</c>
/// (threads, duration, direction, transmit delay, granule) in single-map mode, plus the DMA
/// domain type and a loop limit. <see cref="Problem"/> applies the kernel's range checks.
/// </summary>
public sealed record DmaMapBenchmarkOptions
{
    /// <summary>DMA_MAP_MAX_THREADS.</summary>
    public const int MaxThreads = 1024;

    /// <summary>DMA_MAP_MAX_SECONDS.</summary>
    public const int MaxSeconds = 300;

    /// <summary>The largest granule the kernel accepts, in pages.</summary>
    public const int MaxGranule = 1024;

    /// <summary>DMA_MAP_MAX_TRANS_DELAY: 10 ms in nanoseconds.</summary>
    public const int MaxTransDelayNs = 10_000_000;

    /// <summary>PAGE_SIZE: a granule counts pages of this size.</summary>
    public const ulong PageSize = 4096;

    /// <summary>Mapping threads, each on its own OS thread with CPU number 0 .. Threads − 1.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>How long the threads loop (wall time; the kernel takes whole seconds).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Pages per mapping (<c>granule * PAGE_SIZE</c> bytes each map).</summary>
    public int Granule { get; init; } = 1;

    public DmaDirection Direction { get; init; } = DmaDirection.Bidirectional;

    /// <summary>Busy wait between map and unmap, "the DMA transmitting" (not timed), in ns.</summary>
    public int DmaTransNs { get; init; }

    /// <summary>Strict (<see cref="DmaDomainType.Dma"/>, arm64's default) or lazy with a flush queue.</summary>
    public DmaDomainType Type { get; init; } = DmaDomainType.Dma;

    /// <summary>The streaming DMA mask of the device (the Linux tool's default: 32 bits).</summary>
    public ulong DmaMask { get; init; } = 0xFFFF_FFFF;

    /// <summary>Each thread stops after this many map/unmap loops even if time is left (tests); null: no limit.</summary>
    public long? MaxLoopsPerThread { get; init; }

    /// <summary>
    /// Null when the options are acceptable, else the one-line reason, worded as Linux's
    /// dma_map_benchmark tool words its refusals.
    /// </summary>
    public string? Problem()
    {
        if (Threads is < 1 or > MaxThreads)
        {
            return $"invalid number of threads, must be in 1-{MaxThreads}";
        }

        if (Duration <= TimeSpan.Zero || Duration > TimeSpan.FromSeconds(MaxSeconds))
        {
            return $"invalid number of seconds, must be in 1-{MaxSeconds}";
        }

        if (DmaTransNs is < 0 or > MaxTransDelayNs)
        {
            return $"invalid transmit delay, must be in 0-{MaxTransDelayNs}";
        }

        if (Granule is < 1 or > MaxGranule)
        {
            return $"invalid granule size, must be in 1-{MaxGranule}";
        }

        if (Direction is not (DmaDirection.Bidirectional or DmaDirection.ToDevice or DmaDirection.FromDevice))
        {
            return "invalid dma direction";
        }

        if (Type is not (DmaDomainType.Dma or DmaDomainType.DmaFq))
        {
            return "invalid mode";
        }

        if (MaxLoopsPerThread is < 1)
        {
            return "invalid loop limit, must be at least 1";
        }

        return null;
    }
}
