using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Dma;

/// <summary>How an <see cref="IommuDma"/> domain is set up (<c>iommu_dma_init_domain</c> and its inputs).</summary>
public sealed record IommuDmaOptions
{
    /// <summary>CPUs (all online): per-CPU range caches and flush-queue rings.</summary>
    public int CpuCount { get; init; } = 1;

    /// <summary>The clock of the flush-queue timer and the depot trimming.</summary>
    public IDmaClock Clock { get; init; } = new ManualDmaClock();

    /// <summary>The type asked for; <see cref="DmaDomainType.DmaFq"/> falls back to strict when no queue can be set up.</summary>
    public DmaDomainType Type { get; init; } = DmaDomainType.Dma;

    /// <summary>
    /// The IOMMU advertises deferred flushing (<c>IOMMU_CAP_DEFERRED_FLUSH</c>). Linux's arm-smmu-v3
    /// does (taken as given; the reference marks it unconfirmed); false forces strict.
    /// </summary>
    public bool SupportsDeferredFlush { get; init; } = true;

    /// <summary>
    /// The IOMMU's flush is a costly shadowing operation (<c>shadow_on_flush</c>): one shared
    /// 32768-entry ring with a 1 s timeout instead of per-CPU rings. Not set for arm-smmu-v3.
    /// </summary>
    public bool ShadowOnFlush { get; init; }

    /// <summary>Overrides the ring geometry chosen from <see cref="ShadowOnFlush"/>.</summary>
    public FlushQueueOptions? FlushQueue { get; init; }

    /// <summary>Failure injection: setting up the flush queue fails (its allocation), so the domain stays strict.</summary>
    public bool FailFlushQueueSetup { get; init; }

    /// <summary>The CPU page size (PAGE_SIZE); the IOVA granule may not exceed it.</summary>
    public ulong CpuPageSize { get; init; } = 4096;

    /// <summary>Where coherent allocations get their pages (null: coherent allocations are refused).</summary>
    public IDmaAllocator? PageAllocator { get; init; }

    /// <summary>IOVA byte ranges [Start, End] never handed out (host-bridge windows, reserved regions).</summary>
    public IReadOnlyList<(ulong Start, ulong End)> Reserved { get; init; } = [];

    /// <summary>
    /// Told every mapping, unmap and deferred flush of the domain (the stale-translation oracle
    /// listens here); null for none.
    /// </summary>
    public IDmaMappingListener? Listener { get; init; }
}
