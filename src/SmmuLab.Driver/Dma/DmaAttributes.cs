namespace SmmuLab.Driver.Dma;

/// <summary>
/// DMA attributes (Linux <c>DMA_ATTR_*</c>). The bits up to <see cref="Privileged"/> are Linux's;
/// <see cref="Mmio"/> and <see cref="RequireCoherent"/> are newer kernel attributes whose values
/// here are the model's own.
/// </summary>
[Flags]
public enum DmaAttributes
{
    None = 0,
    WeakOrdering = 1 << 1,
    WriteCombine = 1 << 2,
    NoKernelMapping = 1 << 4,

    /// <summary>No CPU cache maintenance (not modeled either way).</summary>
    SkipCpuSync = 1 << 5,

    /// <summary>A coherent allocation must be physically contiguous.</summary>
    ForceContiguous = 1 << 6,
    AllocSinglePages = 1 << 7,
    NoWarn = 1 << 8,

    /// <summary>Only privileged transactions may access the mapping.</summary>
    Privileged = 1 << 9,

    /// <summary>The target is MMIO: mapped as device memory; unmap does not look the address up.</summary>
    Mmio = 1 << 10,

    /// <summary>The mapping must not be bounced; unmap does not look the address up.</summary>
    RequireCoherent = 1 << 11,
}
