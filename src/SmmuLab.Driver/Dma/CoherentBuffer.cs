namespace SmmuLab.Driver.Dma;

/// <summary>
/// A coherent allocation (<c>dma_alloc_coherent</c>): the DMA address the device uses, the size
/// asked for, and the physical chunks behind it in IOVA order.
/// </summary>
public sealed class CoherentBuffer
{
    internal CoherentBuffer(ulong dmaAddress, ulong size, IReadOnlyList<(ulong Phys, ulong Bytes)> chunks)
    {
        DmaAddress = dmaAddress;
        Size = size;
        Chunks = chunks;
    }

    public ulong DmaAddress { get; }

    /// <summary>The size requested.</summary>
    public ulong Size { get; }

    /// <summary>Physical memory behind the buffer, in IOVA order (one chunk when contiguous).</summary>
    public IReadOnlyList<(ulong Phys, ulong Bytes)> Chunks { get; }

    internal bool Freed { get; set; }

    public override string ToString() => $"0x{DmaAddress:x}+0x{Size:x} in {Chunks.Count} chunk(s)";
}
