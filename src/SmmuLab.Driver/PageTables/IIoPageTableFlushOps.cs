namespace SmmuLab.Driver.PageTables;

/// <summary>
/// The TLB maintenance an <see cref="IoPageTable"/> asks its owner for while it changes the tables
/// (Linux <c>iommu_flush_ops</c>). For the SMMUv3 driver both end in <c>arm_smmu_domain_inv_range</c>.
/// </summary>
internal interface IIoPageTableFlushOps
{
    /// <summary>
    /// A table descriptor covering [<paramref name="iova"/>, +<paramref name="size"/>) has been
    /// cleared and the table below it is about to be freed: invalidate the range non-leaf (walk
    /// caches included, TLBI with LEAF = 0) and wait for completion (CMD_SYNC) before returning.
    /// <paramref name="granule"/> is the table granule in bytes.
    /// </summary>
    void FlushWalk(ulong iova, ulong size, ulong granule);

    /// <summary>
    /// A leaf of <paramref name="granule"/> bytes at <paramref name="iova"/> has been cleared: add it
    /// to <paramref name="gather"/>, syncing the gather first when the page cannot be merged into it
    /// (<see cref="IotlbGather.AddPage"/> does exactly that).
    /// </summary>
    void AddPage(IotlbGather gather, ulong iova, ulong granule);
}
