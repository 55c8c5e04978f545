using SmmuLab.Driver.Dma;
using SmmuLab.Driver.Domains;

namespace SmmuLab.Replay.Engine;

/// <summary>
/// A paging domain of the replay and, from its first DMA-API event on, the DMA layer over it (one
/// IOVA space shared by every device attached to the domain).
/// </summary>
internal sealed class ReplayDomain(string name, PagingDomain domain)
{
    private IommuDma? dma;

    public string Name { get; } = name;

    public PagingDomain Domain { get; } = domain;

    /// <summary>The DMA layer, when set up.</summary>
    public IommuDma? DmaOrNull => dma;

    /// <summary>The DMA layer, set up with <paramref name="options"/> on first use.</summary>
    public IommuDma Dma(IommuDmaOptions options) => dma ??= new IommuDma(Domain, options);
}
