namespace SmmuLab.Driver.Dma;

/// <summary>How the queued IOVAs of a lazy domain are laid out.</summary>
public enum FlushQueueKind
{
    /// <summary>One ring per CPU (IOMMU_DMA_OPTS_PER_CPU_QUEUE, the default).</summary>
    PerCpu,

    /// <summary>One ring shared by every CPU (IOMMU_DMA_OPTS_SINGLE_QUEUE, for IOMMUs whose flush is costly).</summary>
    Single,
}

/// <summary>The geometry of a flush queue (<c>iommu_dma_init_options</c>).</summary>
/// <param name="Kind">Per-CPU rings or one shared ring.</param>
/// <param name="Size">Entries per ring, a power of two; a ring holds at most Size − 1.</param>
/// <param name="Timeout">How long after the first queued entry the timer flushes every ring.</param>
public sealed record FlushQueueOptions(FlushQueueKind Kind, int Size, TimeSpan Timeout)
{
    /// <summary>
    /// Model extension (not Linux): when a full ring is still full after its flush, flush again
    /// until the finish count covers its oldest entry, instead of overwriting the ring.
    /// </summary>
    public bool FlushUntilRoom { get; init; }

    /// <summary>IOVA_DEFAULT_FQ_SIZE.</summary>
    public const int DefaultSize = 256;

    /// <summary>IOVA_SINGLE_FQ_SIZE.</summary>
    public const int SingleSize = 32768;

    /// <summary>IOVA_DEFAULT_FQ_TIMEOUT.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(10);

    /// <summary>IOVA_SINGLE_FQ_TIMEOUT.</summary>
    public static readonly TimeSpan SingleTimeout = TimeSpan.FromMilliseconds(1000);

    /// <summary>256-entry rings per CPU, 10 ms timeout.</summary>
    public static FlushQueueOptions PerCpu { get; } = new(FlushQueueKind.PerCpu, DefaultSize, DefaultTimeout);

    /// <summary>One 32768-entry ring, 1000 ms timeout (chosen when the IOMMU asks for shadowing on flush).</summary>
    public static FlushQueueOptions Single { get; } = new(FlushQueueKind.Single, SingleSize, SingleTimeout);
}
