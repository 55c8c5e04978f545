namespace SmmuLab.Replay.Engine;

/// <summary>What the replay was doing when SMMU work happened: the rows of the cost table.</summary>
public enum ReplayOperation
{
    /// <summary>Building SMMUs and devices and attaching domains (excluded from the replay's totals).</summary>
    Setup,

    /// <summary><c>dma_map_phys</c>/<c>_page</c>/<c>_resource</c>.</summary>
    Map,

    /// <summary><c>dma_unmap_phys</c>/<c>_page</c>/<c>_resource</c>.</summary>
    Unmap,

    /// <summary><c>dma_map_sg</c>.</summary>
    MapSg,

    /// <summary><c>dma_unmap_sg</c>.</summary>
    UnmapSg,

    /// <summary><c>dma_alloc</c>, <c>dma_alloc_pages</c>, <c>dma_alloc_sgt</c>.</summary>
    Alloc,

    /// <summary><c>dma_free</c>, <c>dma_free_pages</c>, <c>dma_free_sgt</c>.</summary>
    Free,

    /// <summary>An <c>iommu:map</c> replayed on its own (no DMA-API call holds it).</summary>
    IommuMap,

    /// <summary>An <c>iommu:unmap</c> replayed on its own.</summary>
    IommuUnmap,

    /// <summary>Timers that fell due as trace time passed: the flush queue's timeout flushes.</summary>
    Timer,
}
