namespace SmmuLab.Driver.Dma;

/// <summary>How a DMA domain invalidates on unmap (the IOMMU core's default-domain types).</summary>
public enum DmaDomainType
{
    /// <summary>IOMMU_DOMAIN_DMA, strict: every unmap invalidates and waits before its IOVA is freed.</summary>
    Dma,

    /// <summary>IOMMU_DOMAIN_DMA_FQ, lazy: unmaps queue their IOVAs; a whole-domain flush frees them later.</summary>
    DmaFq,
}
