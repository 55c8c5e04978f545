namespace SmmuLab.Driver.Dma;

/// <summary>What a <see cref="FlushQueue"/> calls back into: the domain's flush and the frees it defers.</summary>
public interface IFlushQueueOwner
{
    /// <summary>
    /// Invalidates everything the domain may have cached and waits for completion (the IOMMU
    /// driver's <c>flush_iotlb_all</c>).
    /// </summary>
    void FlushIotlbAll();

    /// <summary>Frees an IOVA range whose invalidation has completed, on <paramref name="cpu"/> (<c>free_iova_fast</c>).</summary>
    void FreeIova(int cpu, ulong pfn, ulong pages);

    /// <summary>Frees page-table pages that were waiting for the invalidation.</summary>
    void FreePages(IReadOnlyList<(ulong Address, ulong Bytes)> pages);
}
