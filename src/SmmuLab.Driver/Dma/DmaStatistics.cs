namespace SmmuLab.Driver.Dma;

/// <summary>
/// Counters of the DMA API calls of an <see cref="IommuDma"/> domain, each CPU counting in a block
/// of its own (<see cref="PerCpuCounters"/>); a read is a consistent value per counter, not across counters.
/// </summary>
public sealed class DmaStatistics
{
    internal const int SingleMapsCounter = 0;
    internal const int SgMapsCounter = 1;
    internal const int CoherentAllocsCounter = 2;
    internal const int MapFailuresCounter = 3;
    internal const int SingleUnmapsCounter = 4;
    internal const int SgUnmapsCounter = 5;
    internal const int CoherentFreesCounter = 6;
    internal const int UnmapWarningsCounter = 7;
    internal const int IommuMapsCounter = 8;
    internal const int StrictUnmapsCounter = 9;
    internal const int DeferredUnmapsCounter = 10;
    internal const int Fallbacks32BitCounter = 11;

    private readonly PerCpuCounters perCpu;

    internal DmaStatistics(int cpus) => perCpu = new PerCpuCounters(cpus);

    /// <summary>Successful single mappings (map_phys / map_page).</summary>
    public long SingleMaps => perCpu.Sum(SingleMapsCounter);

    /// <summary>Successful scatter-gather mappings.</summary>
    public long SgMaps => perCpu.Sum(SgMapsCounter);

    /// <summary>Successful coherent allocations.</summary>
    public long CoherentAllocs => perCpu.Sum(CoherentAllocsCounter);

    /// <summary>Maps and allocations that failed (no IOVA, page-table refusal or no memory).</summary>
    public long MapFailures => perCpu.Sum(MapFailuresCounter);

    public long SingleUnmaps => perCpu.Sum(SingleUnmapsCounter);

    public long SgUnmaps => perCpu.Sum(SgUnmapsCounter);

    public long CoherentFrees => perCpu.Sum(CoherentFreesCounter);

    /// <summary>Unmaps of addresses that were not mapped, or not whole (the kernel's WARNs).</summary>
    public long UnmapWarnings => perCpu.Sum(UnmapWarningsCounter);

    /// <summary>Page-table map calls (<c>iommu_map</c>; one per physically contiguous run of a list).</summary>
    public long IommuMaps => perCpu.Sum(IommuMapsCounter);

    /// <summary>Unmaps invalidated and waited for at once (strict).</summary>
    public long StrictUnmaps => perCpu.Sum(StrictUnmapsCounter);

    /// <summary>Unmaps whose IOVA went to the flush queue (lazy).</summary>
    public long DeferredUnmaps => perCpu.Sum(DeferredUnmapsCounter);

    /// <summary>Devices that gave up 32-bit-first allocation ("Using N-bit DMA addresses").</summary>
    public long Fallbacks32Bit => perCpu.Sum(Fallbacks32BitCounter);

    /// <summary>All successful maps and allocations.</summary>
    public long Maps => SingleMaps + SgMaps + CoherentAllocs;

    /// <summary>All unmaps and frees.</summary>
    public long Unmaps => SingleUnmaps + SgUnmaps + CoherentFrees;

    /// <summary>Counts one <paramref name="counter"/> event on <paramref name="cpu"/>.</summary>
    internal void Count(int cpu, int counter) => perCpu.Add(cpu, counter);
}
