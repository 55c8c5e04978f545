namespace SmmuLab.Driver.PageTables;

/// <summary>
/// The access and memory-type flags a caller of the IOMMU API asks a mapping for (the kernel's
/// <c>IOMMU_READ</c>, <c>IOMMU_WRITE</c>, ...). The values are those of the Linux API so traces read alike.
/// <see cref="PteAttributes"/> turns them into descriptor bits for either stage.
/// </summary>
[Flags]
public enum IommuProt
{
    None = 0,

    /// <summary>The device may read.</summary>
    Read = 1 << 0,

    /// <summary>The device may write.</summary>
    Write = 1 << 1,

    /// <summary>Cacheable, coherent memory (write-back, inner shareable).</summary>
    Cache = 1 << 2,

    /// <summary>The device may not fetch instructions from the range.</summary>
    NoExec = 1 << 3,

    /// <summary>Device memory (nGnRE), for MMIO targets such as an MSI doorbell.</summary>
    Mmio = 1 << 4,

    /// <summary>Only privileged transactions may access (stage 1: AP[1] clear).</summary>
    Priv = 1 << 5,
}
