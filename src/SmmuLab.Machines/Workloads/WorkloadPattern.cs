namespace SmmuLab.Machines.Workloads;

/// <summary>The shape of a generated workload's operations (what a driver does per buffer).</summary>
public enum WorkloadPattern
{
    /// <summary>Map one buffer, the device DMAs it, unmap it (a storage request).</summary>
    MapDmaUnmap,

    /// <summary>
    /// Map a batch of buffers, the device DMAs each, then unmap the batch in the order mapped (a
    /// network driver refilling and reaping a ring).
    /// </summary>
    MapManyUnmapMany,

    /// <summary>Map a scatter-gather list of a batch of buffers in one call, DMA each segment, unmap the list.</summary>
    ScatterGather,
}
