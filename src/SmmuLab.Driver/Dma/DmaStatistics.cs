namespace SmmuLab.Driver.Dma;

/// <summary>Counters of the DMA API calls of an <see cref="IommuDma"/> domain, updated with interlocked operations.</summary>
public sealed class DmaStatistics
{
    internal long singleMaps;
    internal long sgMaps;
    internal long coherentAllocs;
    internal long mapFailures;
    internal long singleUnmaps;
    internal long sgUnmaps;
    internal long coherentFrees;
    internal long unmapWarnings;
    internal long iommuMaps;
    internal long strictUnmaps;
    internal long deferredUnmaps;
    internal long fallbacks32Bit;

    /// <summary>Successful single mappings (map_phys / map_page).</summary>
    public long SingleMaps => Interlocked.Read(ref singleMaps);

    /// <summary>Successful scatter-gather mappings.</summary>
    public long SgMaps => Interlocked.Read(ref sgMaps);

    /// <summary>Successful coherent allocations.</summary>
    public long CoherentAllocs => Interlocked.Read(ref coherentAllocs);

    /// <summary>Maps and allocations that failed (no IOVA, page-table refusal or no memory).</summary>
    public long MapFailures => Interlocked.Read(ref mapFailures);

    public long SingleUnmaps => Interlocked.Read(ref singleUnmaps);

    public long SgUnmaps => Interlocked.Read(ref sgUnmaps);

    public long CoherentFrees => Interlocked.Read(ref coherentFrees);

    /// <summary>Unmaps of addresses that were not mapped, or not whole (the kernel's WARNs).</summary>
    public long UnmapWarnings => Interlocked.Read(ref unmapWarnings);

    /// <summary>Page-table map calls (<c>iommu_map</c>; one per physically contiguous run of a list).</summary>
    public long IommuMaps => Interlocked.Read(ref iommuMaps);

    /// <summary>Unmaps invalidated and waited for at once (strict).</summary>
    public long StrictUnmaps => Interlocked.Read(ref strictUnmaps);

    /// <summary>Unmaps whose IOVA went to the flush queue (lazy).</summary>
    public long DeferredUnmaps => Interlocked.Read(ref deferredUnmaps);

    /// <summary>Devices that gave up 32-bit-first allocation ("Using N-bit DMA addresses").</summary>
    public long Fallbacks32Bit => Interlocked.Read(ref fallbacks32Bit);

    /// <summary>All successful maps and allocations.</summary>
    public long Maps => SingleMaps + SgMaps + CoherentAllocs;

    /// <summary>All unmaps and frees.</summary>
    public long Unmaps => SingleUnmaps + SgUnmaps + CoherentFrees;
}
