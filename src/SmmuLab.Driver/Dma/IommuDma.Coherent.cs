using System.Numerics;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Dma;

public sealed partial class IommuDma
{
    /// <summary>MAX_PAGE_ORDER: the largest page-allocator chunk is 2^10 CPU pages.</summary>
    public const int MaxPageOrder = 10;

    /// <summary>
    /// Allocates a coherent buffer of <paramref name="size"/> bytes for <paramref name="device"/>
    /// (<c>iommu_dma_alloc</c>, a blocking allocation), or null when memory, IOVA space or the page
    /// tables refuse. Default ("remap") path: the size is rounded to CPU pages, the pages are taken
    /// in the largest chunks the domain's page sizes allow (falling back to smaller ones), one IOVA
    /// below the coherent mask covers them, and each physically contiguous run is mapped
    /// read/write. With <see cref="DmaAttributes.ForceContiguous"/>: one contiguous chunk mapped
    /// like a single mapping. The CPU-side mapping (vmap) is not modeled.
    /// </summary>
    public CoherentBuffer? AllocCoherent(DmaDevice device, int cpu, ulong size, DmaAttributes attrs = DmaAttributes.None)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfZero(size);
        var allocator = options.PageAllocator ?? throw new InvalidOperationException("no page allocator for coherent allocations");
        var prot = Prot(DmaDirection.Bidirectional, device.Options.Coherent, attrs);
        var pageSize = options.CpuPageSize;
        var bytes = (size + pageSize - 1) & ~(pageSize - 1);
        CoherentBuffer? buffer;
        if ((attrs & DmaAttributes.ForceContiguous) != 0)
        {
            buffer = AllocContiguous(device, cpu, size, bytes, prot, allocator);
        }
        else
        {
            buffer = AllocRemapped(device, cpu, size, bytes, prot, allocator);
        }

        Statistics.Count(cpu, buffer is null ? DmaStatistics.MapFailuresCounter : DmaStatistics.CoherentAllocsCounter);
        return buffer;
    }

    /// <summary>Unmaps a coherent buffer (like any unmap: strict or queued) and frees its pages (<c>iommu_dma_free</c>).</summary>
    public void FreeCoherent(DmaDevice device, int cpu, CoherentBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Freed)
        {
            throw new InvalidOperationException($"coherent buffer {buffer} was already freed");
        }

        buffer.Freed = true;
        UnmapCore(cpu, buffer.DmaAddress, buffer.Size);
        var allocator = options.PageAllocator!;
        foreach (var (phys, bytes) in buffer.Chunks)
        {
            allocator.Free(phys, bytes);
        }

        Statistics.Count(cpu, DmaStatistics.CoherentFreesCounter);
    }

    /// <summary>iommu_dma_alloc_pages + __iommu_dma_map: one naturally aligned chunk, mapped against the coherent mask.</summary>
    private CoherentBuffer? AllocContiguous(DmaDevice device, int cpu, ulong size, ulong bytes, IommuProt prot, IDmaAllocator allocator)
    {
        ulong phys;
        try
        {
            phys = allocator.Allocate(bytes, BitOperations.RoundUpToPowerOf2(bytes));
        }
        catch (DmaAllocationException)
        {
            return null;
        }

        var dma = MapCore(device, cpu, phys, size, prot, device.Options.CoherentDmaMask);
        if (dma == MappingError)
        {
            allocator.Free(phys, bytes);
            return null;
        }

        return new CoherentBuffer(dma, size, [(phys, bytes)]);
    }

    /// <summary>iommu_dma_alloc_remap: page chunks of the allowed orders, one IOVA, one map per contiguous run.</summary>
    private CoherentBuffer? AllocRemapped(DmaDevice device, int cpu, ulong size, ulong bytes, IommuProt prot, IDmaAllocator allocator)
    {
        var pageSize = options.CpuPageSize;
        var orderMask = (Domain.PageSizeBitmap >> BitOperations.Log2(pageSize)) & ((2UL << MaxPageOrder) - 1);
        if (orderMask == 0)
        {
            return null;
        }

        var chunks = AllocPages(bytes / pageSize, orderMask, allocator);
        if (chunks is null)
        {
            return null;
        }

        var iova = AllocIova(device, cpu, bytes, device.Options.CoherentDmaMask);
        if (iova == 0)
        {
            FreeChunks(chunks, allocator);
            return null;
        }

        if (!MapChunks(cpu, iova, chunks, prot))
        {
            Iovad.FreeFast(cpu, iova >> Iovad.Shift, bytes >> Iovad.Shift);
            FreeChunks(chunks, allocator);
            return null;
        }

        return new CoherentBuffer(iova, size, chunks);
    }

    /// <summary>
    /// __iommu_dma_alloc_pages: for each chunk, the largest allowed order that fits the pages still
    /// needed, dropping an order for good when its allocation fails; null when even the smallest fails.
    /// </summary>
    private List<(ulong Phys, ulong Bytes)>? AllocPages(ulong count, ulong orderMask, IDmaAllocator allocator)
    {
        var pageSize = options.CpuPageSize;
        var chunks = new List<(ulong Phys, ulong Bytes)>();
        while (count > 0)
        {
            orderMask &= (2UL << BitOperations.Log2(count)) - 1;
            var got = false;
            while (orderMask != 0)
            {
                var pages = 1UL << BitOperations.Log2(orderMask);
                try
                {
                    var phys = allocator.Allocate(pages * pageSize, pages * pageSize);
                    chunks.Add((phys, pages * pageSize));
                    count -= pages;
                    got = true;
                    break;
                }
                catch (DmaAllocationException)
                {
                    orderMask &= ~pages;
                }
            }

            if (!got)
            {
                FreeChunks(chunks, allocator);
                return null;
            }
        }

        return chunks;
    }

    /// <summary>iommu_map_sg over the chunks: one map per physically contiguous run; on failure, strict unmap of what was mapped.</summary>
    private bool MapChunks(int cpu, ulong iova, List<(ulong Phys, ulong Bytes)> chunks, IommuProt prot)
    {
        var mapped = 0UL;
        for (var i = 0; i < chunks.Count;)
        {
            var start = chunks[i].Phys;
            var length = 0UL;
            while (i < chunks.Count && chunks[i].Phys == start + length)
            {
                length += chunks[i].Bytes;
                i++;
            }

            if (MapRun(cpu, iova + mapped, start, length, prot) != 0)
            {
                if (mapped != 0)
                {
                    UnmapFailed(iova, mapped);
                }

                return false;
            }

            mapped += length;
        }

        return true;
    }

    private static void FreeChunks(List<(ulong Phys, ulong Bytes)> chunks, IDmaAllocator allocator)
    {
        foreach (var (phys, bytes) in chunks)
        {
            allocator.Free(phys, bytes);
        }
    }
}
