using System.Collections.Immutable;
using SmmuLab.Driver.Dma;

namespace SmmuLab.Replay.Engine;

/// <summary>A replayed single mapping: the DMA address our allocator gave and the size mapped.</summary>
internal readonly record struct SingleMapping(ulong DmaAddress, ulong Size);

/// <summary>
/// A replayed scatter-gather mapping, found again by its list of physical addresses (all that
/// <c>dma_unmap_sg</c> prints): our DMA segments, and the trace's DMA range for attributing the
/// <c>iommu:unmap</c> of its unmap. Lists with the same first address are chained.
/// </summary>
internal sealed class SgMapping(ImmutableArray<ulong> phys, DmaSegment[] segments, ulong traceStart, ulong traceEnd)
{
    public ImmutableArray<ulong> Phys { get; } = phys;

    public DmaSegment[] Segments { get; } = segments;

    public ulong TraceStart { get; } = traceStart;

    public ulong TraceEnd { get; } = traceEnd;

    public SgMapping? Next { get; set; }
}

/// <summary>A live IOVA range of the trace (from an attributed <c>iommu:map</c>), and whether the replay applied it on its own.</summary>
internal readonly record struct LiveRange(ulong Size, bool Raw);
