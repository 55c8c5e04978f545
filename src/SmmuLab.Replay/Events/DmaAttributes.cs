namespace SmmuLab.Replay.Events;

/// <summary>
/// The <c>attrs=</c> flags by the names the kernel prints (table order of <c>decode_dma_attrs</c>,
/// joined with <c>|</c>; an empty value is no attribute). The bit values are SmmuLab's own, not
/// the kernel's <c>DMA_ATTR_*</c> values, which the text does not carry.
/// </summary>
[Flags]
public enum DmaAttributes : uint
{
    None = 0,
    WeakOrdering = 1 << 0,
    WriteCombine = 1 << 1,
    NoKernelMapping = 1 << 2,
    SkipCpuSync = 1 << 3,
    ForceContiguous = 1 << 4,
    AllocSinglePages = 1 << 5,
    NoWarn = 1 << 6,
    Privileged = 1 << 7,

    /// <summary><c>MMIO</c> (about v6.18 and later).</summary>
    Mmio = 1 << 8,

    /// <summary><c>CACHELINES_OVERLAP</c> (the debugging attribute that ignores cacheline sharing).</summary>
    CachelinesOverlap = 1 << 9,

    RequireCoherent = 1 << 10,
    CcShared = 1 << 11,
    AllocCcShared = 1 << 12,

    /// <summary>A name this parser does not know, or leftover bits the kernel printed as <c>0x…</c>.</summary>
    Unrecognized = 1u << 31,
}
