namespace SmmuLab.Verification.Stress;

/// <summary>What <see cref="StressCheck"/> runs: the stress phase's threads and length, the explorations, the seed.</summary>
public sealed record StressOptions
{
    /// <summary>The most map/unmap/DMA threads.</summary>
    public const int MaxThreads = 64;

    /// <summary>The longest stress phase, in seconds.</summary>
    public const int MaxSeconds = 3600;

    /// <summary>The most explorations.</summary>
    public const int MaxExplorations = 1_000_000;

    /// <summary>Map/unmap/DMA threads (besides the attach/detach and ATS churn threads).</summary>
    public int Threads { get; init; } = 2;

    /// <summary>How long the stress phase runs; zero skips it.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Randomized schedules to explore after the stress phase: each a fresh machine whose threads
    /// do <see cref="ExploreRounds"/> rounds with seeded random delays at the driver's ordering points.
    /// </summary>
    public int Explorations { get; init; }

    /// <summary>Rounds each thread does in one exploration.</summary>
    public int ExploreRounds { get; init; } = 8;

    /// <summary>The seed every thread's choices derive from.</summary>
    public int Seed { get; init; }

    /// <summary>When set, a stress thread stops after this many rounds even before <see cref="Duration"/> (tests).</summary>
    public long? MaxRoundsPerThread { get; init; }

    /// <summary>Stop at the first violation or failure (the default) rather than run to the end.</summary>
    public bool StopAtFirstViolation { get; init; } = true;

    /// <summary>What is wrong with these options, or null.</summary>
    public string? Problem() =>
        Threads is < 1 or > MaxThreads ? $"invalid number of threads, must be in 1-{MaxThreads}"
        : Duration < TimeSpan.Zero || Duration > TimeSpan.FromSeconds(MaxSeconds) ? $"invalid number of seconds, must be in 0-{MaxSeconds}"
        : Explorations is < 0 or > MaxExplorations ? $"invalid number of randomized explorations, must be in 0-{MaxExplorations}"
        : ExploreRounds < 1 ? "explore rounds must be at least 1"
        : Duration == TimeSpan.Zero && Explorations == 0 ? "nothing to do: --seconds 0 and no --explore-random"
        : null;
}
