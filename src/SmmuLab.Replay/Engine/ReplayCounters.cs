namespace SmmuLab.Replay.Engine;

/// <summary>What a replay did with the trace's events, by kind.</summary>
public sealed class ReplayCounters
{
    /// <summary><c>dma_map_phys</c>/<c>_page</c>/<c>_resource</c> replayed with <c>MapPhys</c> (successful ones).</summary>
    public long Maps { get; internal set; }

    /// <summary>Of <see cref="Maps"/>: our DMA address equals the trace's.</summary>
    public long MapsMatchingTrace { get; internal set; }

    /// <summary><c>dma_map_sg</c> replayed with <c>MapSg</c>.</summary>
    public long SgMaps { get; internal set; }

    /// <summary>Of <see cref="SgMaps"/>: our DMA segments equal the trace's, address and length.</summary>
    public long SgMapsMatchingTrace { get; internal set; }

    /// <summary><c>dma_alloc</c>, <c>dma_alloc_pages</c>, <c>dma_alloc_sgt</c> replayed with <c>AllocCoherent</c>.</summary>
    public long Allocs { get; internal set; }

    /// <summary>Of <see cref="Allocs"/>: our DMA address equals the trace's.</summary>
    public long AllocsMatchingTrace { get; internal set; }

    /// <summary>Single unmaps replayed with <c>UnmapPhys</c>.</summary>
    public long Unmaps { get; internal set; }

    /// <summary><c>dma_unmap_sg</c> replayed with <c>UnmapSg</c>.</summary>
    public long SgUnmaps { get; internal set; }

    /// <summary><c>dma_free*</c> replayed with <c>FreeCoherent</c>.</summary>
    public long Frees { get; internal set; }

    /// <summary>Bytes the replayed maps, lists and allocations asked for (the trace's sizes).</summary>
    public long BytesMapped { get; internal set; }

    /// <summary>Calls that failed in the traced kernel (mapping error, <c>_err</c> events, no buffer): nothing to replay.</summary>
    public long FailedInTrace { get; internal set; }

    /// <summary>A NULL free (<c>dma_free*</c> of no buffer): nothing to replay.</summary>
    public long NoOps { get; internal set; }

    /// <summary><c>dma_sync_*</c> events: CPU cache maintenance, not replayed.</summary>
    public long Syncs { get; internal set; }

    /// <summary><c>iommu:map</c> events.</summary>
    public long IommuMaps { get; internal set; }

    /// <summary><c>iommu:unmap</c> events.</summary>
    public long IommuUnmaps { get; internal set; }

    /// <summary>iommu map/unmap events held by the DMA-API call that caused them: checked, not applied.</summary>
    public long IommuClaimed { get; internal set; }

    /// <summary>Of <see cref="IommuClaimed"/>: outside the call's DMA range, or an unmap that released less than asked.</summary>
    public long IommuInconsistent { get; internal set; }

    /// <summary>iommu maps applied on their own (attributed to a device, no DMA-API call holding them).</summary>
    public long IommuMapsApplied { get; internal set; }

    /// <summary>iommu unmaps applied on their own.</summary>
    public long IommuUnmapsApplied { get; internal set; }

    /// <summary>iommu unmaps of a mapping that a replayed DMA-API call made, whose own DMA-API unmap is missing: not applied.</summary>
    public long IommuUnmapsOfDmaMappings { get; internal set; }

    /// <summary>iommu map/unmap events no rule gave a device: not applied.</summary>
    public long IommuUnattributed { get; internal set; }

    /// <summary>DMA-API calls that should hold iommu events and held none (meaningful when the trace has iommu events).</summary>
    public long CallsWithoutIommuEvents { get; internal set; }

    public long PageFaults { get; internal set; }

    public long Attaches { get; internal set; }

    public long Detaches { get; internal set; }

    /// <summary><c>add_device_to_group</c>/<c>remove_device_from_group</c>.</summary>
    public long GroupEvents { get; internal set; }

    /// <summary>Events whose CPU was at or above the CPU count, replayed on CPU modulo count.</summary>
    public long FoldedCpuEvents { get; internal set; }

    /// <summary>Events earlier than the one before them (the clock does not go back).</summary>
    public long TimestampsBackwards { get; internal set; }

    /// <summary>All successful replayed maps of any kind.</summary>
    public long AllMaps => Maps + SgMaps + Allocs;

    /// <summary>Of <see cref="AllMaps"/>: the address (or list) our allocator picked equals the trace's.</summary>
    public long AllMatchingTrace => MapsMatchingTrace + SgMapsMatchingTrace + AllocsMatchingTrace;

    public long AllUnmaps => Unmaps + SgUnmaps + Frees;
}
