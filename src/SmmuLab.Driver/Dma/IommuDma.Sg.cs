using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Dma;

public sealed partial class IommuDma
{
    /// <summary>
    /// Maps a scatter-gather list with one IOVA allocation (<c>iommu_dma_map_sg</c>) and writes the
    /// DMA segments the device sees to <paramref name="segments"/> (at least as long as the list;
    /// slots past the count get <see cref="MappingError"/> and length 0). Returns the number of DMA
    /// segments, or a negative <see cref="DmaMapError"/>.
    /// </summary>
    /// <remarks>
    /// <para>Layout: each segment is widened to whole granules (its offset within the first granule
    /// and its length kept aside). When the running IOVA length is not a multiple of the segment
    /// boundary and the distance to the next multiple is smaller than the widened segment's length
    /// − 1, the previous segment is padded up to that boundary (the padding maps the physical pages
    /// after it).</para>
    /// <para>Map: physically contiguous neighbours (after widening) go in one page-table map call;
    /// if any fails, what was mapped is unmapped strictly and the IOVA freed at once.</para>
    /// <para>Output (<c>__finalise_sg</c>): a segment joins the current DMA segment when there is
    /// one, it starts on a granule boundary, the running address is not on a segment boundary and
    /// the joined length stays within the maximum segment size; after a segment that does not fill
    /// its last granule (or was padded) nothing joins. Otherwise it starts a new DMA segment at the
    /// running address plus its offset.</para>
    /// </remarks>
    public int MapSg(DmaDevice device, int cpu, ReadOnlySpan<ScatterlistEntry> list, Span<DmaSegment> segments,
        DmaDirection direction, DmaAttributes attrs = DmaAttributes.None)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (segments.Length < list.Length)
        {
            throw new ArgumentException($"{segments.Length} output slots for {list.Length} segments", nameof(segments));
        }

        var prot = Prot(direction, device.Options.Coherent, attrs);
        var mask = device.Options.EffectiveSegmentBoundaryMask;

        // Layout pass. Each slot temporarily holds its segment's IOVA length (padding included).
        var iovaLength = 0UL;
        var previous = -1;
        for (var i = 0; i < list.Length; i++)
        {
            var offset = list[i].Phys & (Granule - 1);
            var length = AlignUp(list[i].Length + offset);
            var pad = unchecked(mask - iovaLength + 1) & mask;
            segments[i] = new DmaSegment(length, 0);
            if (pad != 0 && pad < unchecked(length - 1))
            {
                segments[previous] = new DmaSegment(segments[previous].Address + pad, 0);
                iovaLength += pad;
            }

            iovaLength += length;
            previous = i;
        }

        if (iovaLength == 0)
        {
            return CountSgMap(cpu, Finalise(device, list, segments, 0));
        }

        var iova = AllocIova(device, cpu, iovaLength, device.Options.DmaMask);
        if (iova == 0)
        {
            Statistics.Count(cpu, DmaStatistics.MapFailuresCounter);
            segments[..list.Length].Fill(new DmaSegment(MappingError, 0));
            return DmaMapError.NoMemory;
        }

        var error = MapList(cpu, iova, list, segments, prot);
        if (error != 0)
        {
            Iovad.FreeFast(cpu, iova >> Iovad.Shift, iovaLength >> Iovad.Shift);
            Statistics.Count(cpu, DmaStatistics.MapFailuresCounter);
            segments[..list.Length].Fill(new DmaSegment(MappingError, 0));
            return error;
        }

        return CountSgMap(cpu, Finalise(device, list, segments, iova));
    }

    /// <summary>
    /// Unmaps a list mapped by <see cref="MapSg"/> (<c>iommu_dma_unmap_sg</c>): from the first DMA
    /// segment's address to the end of the last one with a length, in one unmap (one invalidation
    /// when strict, one queue entry when lazy).
    /// </summary>
    public void UnmapSg(DmaDevice device, int cpu, ReadOnlySpan<DmaSegment> segments, DmaDirection direction, DmaAttributes attrs = DmaAttributes.None)
    {
        ArgumentNullException.ThrowIfNull(device);
        CheckDirection(direction);
        if (segments.IsEmpty || segments[0].Length == 0)
        {
            return;
        }

        var start = segments[0].Address;
        var end = 0UL;
        foreach (var s in segments)
        {
            if (s.Length == 0)
            {
                break;
            }

            end = s.Address + s.Length;
        }

        UnmapCore(cpu, start, end - start);
        Statistics.Count(cpu, DmaStatistics.SgUnmapsCounter);
    }

    private int CountSgMap(int cpu, int ents)
    {
        Statistics.Count(cpu, DmaStatistics.SgMapsCounter);
        return ents;
    }

    /// <summary>
    /// iommu_map_sg over the widened segments: one map call per physically contiguous run. On a
    /// failure, what was mapped is unmapped (and invalidated) and -ENOMEM or -EINVAL returned.
    /// </summary>
    private int MapList(int cpu, ulong iova, ReadOnlySpan<ScatterlistEntry> list, ReadOnlySpan<DmaSegment> lengths, IommuProt prot)
    {
        var mapped = 0UL;
        var start = 0UL;
        var length = 0UL;
        for (var i = 0; i <= list.Length; i++)
        {
            var last = i == list.Length;
            var phys = last ? 0 : list[i].Phys & ~(Granule - 1);
            if (length != 0 && (last || phys != start + length))
            {
                var error = MapRun(cpu, iova + mapped, start, length, prot);
                if (error != 0)
                {
                    if (mapped != 0)
                    {
                        UnmapFailed(iova, mapped);
                    }

                    return error;
                }

                mapped += length;
                length = 0;
            }

            if (last)
            {
                break;
            }

            if (length != 0)
            {
                length += lengths[i].Address;
            }
            else
            {
                length = lengths[i].Address;
                start = phys;
            }
        }

        return 0;
    }

    private int MapRun(int cpu, ulong iova, ulong pa, ulong bytes, IommuProt prot)
    {
        Statistics.Count(cpu, DmaStatistics.IommuMapsCounter);
        try
        {
            Domain.Map(iova, pa, bytes, prot);
            options.Listener?.Mapped(iova, pa, bytes);
            return 0;
        }
        catch (DmaAllocationException)
        {
            return DmaMapError.NoMemory;
        }
        catch (IoPageTableException)
        {
            return DmaMapError.Invalid;
        }
    }

    /// <summary>__finalise_sg: turns the widened layout into the DMA segments, in place. Returns their count.</summary>
    private static int Finalise(DmaDevice device, ReadOnlySpan<ScatterlistEntry> list, Span<DmaSegment> segments, ulong dmaAddress, ulong granule)
    {
        var boundary = device.Options.EffectiveSegmentBoundaryMask;
        var maxLength = device.Options.MaxSegmentSize;
        var current = 0;
        var currentLength = 0U;
        var count = 0;
        for (var i = 0; i < list.Length; i++)
        {
            var offset = (uint)(list[i].Phys & (granule - 1));
            var length = list[i].Length;
            var iovaLength = segments[i].Address;
            segments[i] = new DmaSegment(MappingError, 0);
            if (currentLength != 0 && offset == 0 && (dmaAddress & boundary) != 0 && unchecked(maxLength - currentLength) >= length)
            {
                currentLength += length;
                segments[current] = segments[current] with { Length = currentLength };
            }
            else
            {
                if (i > 0)
                {
                    current++;
                }

                currentLength = length;
                count++;
                segments[current] = new DmaSegment(dmaAddress + offset, currentLength);
            }

            dmaAddress += iovaLength;
            if ((ulong)length + offset < iovaLength)
            {
                currentLength = 0;
            }
        }

        return count;
    }

    private int Finalise(DmaDevice device, ReadOnlySpan<ScatterlistEntry> list, Span<DmaSegment> segments, ulong dmaAddress) =>
        Finalise(device, list, segments, dmaAddress, Granule);
}
