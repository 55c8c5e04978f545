using System.Collections.Immutable;
using SmmuLab.Driver.Dma;

namespace SmmuLab.Replay.Engine;

/// <summary>
/// A device of the trace during a replay: its domain, its handle in the DMA layer, and what it has
/// mapped, keyed by the trace's own addresses so the trace's unmaps find the replay's mappings.
/// </summary>
internal sealed class ReplayDevice(string name, ReplayDomain? domain, DmaDeviceOptions options)
{
    private DmaDevice? dma;

    public string Name { get; } = name;

    /// <summary>Null when the device could not be set up (its events are counted, not replayed).</summary>
    public ReplayDomain? Domain { get; } = domain;

    public DmaDeviceOptions Options { get; } = options;

    /// <summary>Single mappings by the trace's <c>dma_addr</c>.</summary>
    public Dictionary<ulong, SingleMapping> Singles { get; } = [];

    /// <summary>Coherent buffers by the trace's <c>dma_addr</c>.</summary>
    public Dictionary<ulong, CoherentBuffer> Coherent { get; } = [];

    /// <summary>Scatter-gather mappings by the first physical address of their list.</summary>
    public Dictionary<ulong, SgMapping> Sg { get; } = [];

    /// <summary>Live IOVA ranges of the trace by start (attributed <c>iommu:map</c> events).</summary>
    public Dictionary<ulong, LiveRange> Live { get; } = [];

    /// <summary>The device in its domain's DMA layer, set up on first use.</summary>
    public DmaDevice Dma(IommuDmaOptions options) => dma ??= Domain!.Dma(options).AddDevice(Options);

    public void AddSg(SgMapping mapping)
    {
        var key = mapping.Phys[0];
        if (Sg.TryGetValue(key, out var head))
        {
            mapping.Next = head;
        }

        Sg[key] = mapping;
    }

    /// <summary>Removes and returns the scatter-gather mapping of exactly this list, or null.</summary>
    public SgMapping? TakeSg(ImmutableArray<ulong> phys)
    {
        if (phys.IsDefaultOrEmpty || !Sg.TryGetValue(phys[0], out var head))
        {
            return null;
        }

        SgMapping? previous = null;
        for (var m = head; m is not null; previous = m, m = m.Next)
        {
            if (!m.Phys.AsSpan().SequenceEqual(phys.AsSpan()))
            {
                continue;
            }

            if (previous is not null)
            {
                previous.Next = m.Next;
            }
            else if (m.Next is not null)
            {
                Sg[phys[0]] = m.Next;
            }
            else
            {
                Sg.Remove(phys[0]);
            }

            return m;
        }

        return null;
    }
}
