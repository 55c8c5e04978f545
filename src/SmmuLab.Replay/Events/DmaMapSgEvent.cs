using System.Collections.Immutable;

namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>dma_map_sg</c>. Two print formats: up to v6.18.12
/// <c>"%s dir=%s dma_addrs=%s sizes=%s phys_addrs=%s attrs=%s"</c> (arrays complete), and from
/// v6.18.13 <c>"%s dir=%s nents=%d/%d ents=%d/%d%s dma_addrs=… sizes=… phys_addrs=… attrs=%s"</c>
/// where each array holds at most 128 entries and <c> [TRUNCATED]</c> marks a cut list.
/// <see cref="DmaAddresses"/>/<see cref="Lengths"/> are the output (DMA) segments,
/// <see cref="PhysAddresses"/> the input segments. Without counts in the text,
/// <see cref="InputSegments"/> and <see cref="OutputSegments"/> are the array lengths.
/// </summary>
internal readonly record struct DmaMapSgEvent(
    string Device,
    DmaDirection Direction,
    int InputSegments,
    int OutputSegments,
    bool CountsPrinted,
    bool Truncated,
    ImmutableArray<ulong> DmaAddresses,
    ImmutableArray<uint> Lengths,
    ImmutableArray<ulong> PhysAddresses,
    DmaAttributes Attrs) : ITraceEvent
{
    public TraceEventKind Kind => TraceEventKind.DmaMapSg;

    public bool AffectsIommu => true;

    string? ITraceEvent.Device => Device;
}
