namespace SmmuLab.Driver.Dma;

/// <summary>
/// What the DMA layer needs to know about a device (Linux <c>struct device</c> DMA fields). The
/// defaults are a PCI function before its driver sets masks: 32-bit streaming and coherent masks,
/// 32-bit-first IOVA allocation, segment boundary 0xFFFF_FFFF and 64 KiB segments.
/// </summary>
public sealed record DmaDeviceOptions
{
    public string Name { get; init; } = "dev";

    /// <summary>The streaming DMA mask (<c>dma_mask</c>), for map and scatter-gather.</summary>
    public ulong DmaMask { get; init; } = 0xFFFF_FFFF;

    /// <summary>The mask for coherent allocations (<c>coherent_dma_mask</c>).</summary>
    public ulong CoherentDmaMask { get; init; } = 0xFFFF_FFFF;

    /// <summary>An interconnect limit below the mask (<c>bus_dma_limit</c>); 0 = none.</summary>
    public ulong BusDmaLimit { get; init; }

    /// <summary>
    /// A PCI device: IOVAs are tried below 4 GiB first until that fails once
    /// (<c>pci_32bit_workaround</c>, set unless <see cref="ForceDac"/>).
    /// </summary>
    public bool IsPci { get; init; } = true;

    /// <summary>The <c>iommu.forcedac</c> boot option: PCI devices skip the 32-bit-first attempt.</summary>
    public bool ForceDac { get; init; }

    /// <summary>The device snoops CPU caches: mappings are cacheable (<c>IOMMU_CACHE</c>).</summary>
    public bool Coherent { get; init; } = true;

    /// <summary>
    /// A scatter-gather output segment never crosses a multiple of this mask + 1
    /// (<c>dma_get_seg_boundary</c>); null = 0xFFFF_FFFF for PCI, else none (all ones).
    /// </summary>
    public ulong? SegmentBoundaryMask { get; init; }

    /// <summary>The longest scatter-gather output segment (<c>dma_get_max_seg_size</c>).</summary>
    public uint MaxSegmentSize { get; init; } = 0x1_0000;

    /// <summary>The effective segment boundary mask.</summary>
    public ulong EffectiveSegmentBoundaryMask => SegmentBoundaryMask ?? (IsPci ? 0xFFFF_FFFFUL : ulong.MaxValue);
}
