namespace SmmuLab.Driver.Dma;

/// <summary>
/// One output segment of a scatter-gather map: the DMA address and length the device uses
/// (<c>sg_dma_address</c>, <c>sg_dma_len</c>). Unused slots hold <see cref="IommuDma.MappingError"/> and length 0.
/// </summary>
public readonly record struct DmaSegment(ulong Address, uint Length)
{
    public override string ToString() => $"0x{Address:x}+0x{Length:x}";
}
