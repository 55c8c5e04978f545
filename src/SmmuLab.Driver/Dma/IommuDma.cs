using System.Numerics;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.PageTables;

namespace SmmuLab.Driver.Dma;

/// <summary>
/// The DMA API over one paging domain (Linux dma-iommu.c with the domain's <c>iommu_dma_cookie</c>):
/// an <see cref="IovaAllocator"/> for the IOVA space, and in a lazy (DMA-FQ) domain a
/// <see cref="FlushQueue"/> whose flush is the domain's whole-domain invalidation. Devices using
/// the domain are added with <see cref="AddDevice"/>; every call names the device and the CPU it
/// runs on.
/// </summary>
/// <remarks>
/// <para>Strict unmap: the page-table unmap gathers the leaves, one ranged invalidation and
/// CMD_SYNC follow, then the IOVA is freed. Lazy unmap: the unmap gathers nothing (tables removed
/// on the way are still walk-flushed at once) and the IOVA is queued.</para>
/// <para>Thread-safe. The page tables are serialised by the domain, the IOVA tree by its lock,
/// per-CPU state by per-CPU locks.</para>
/// <para>Not modeled: bounce buffering (swiotlb) for untrusted devices or unaligned kmalloc
/// buffers, CPU cache maintenance for non-coherent devices, peer-to-peer segments, the atomic
/// pool for non-blocking coherent allocations, the MSI cookie.</para>
/// </remarks>
public sealed partial class IommuDma : IFlushQueueOwner, IDisposable
{
    /// <summary>DMA_MAPPING_ERROR: what a failed single map returns.</summary>
    public const ulong MappingError = ulong.MaxValue;

    private readonly IommuDmaOptions options;
    private readonly ulong apertureEnd;
    private FlushQueue? flushQueue;

    /// <summary>
    /// Sets up the DMA layer for <paramref name="domain"/>, which must be finalised (attached, or
    /// allocated for an SMMU): granule = its smallest page size, start frame 1, aperture its input
    /// size; with <see cref="DmaDomainType.DmaFq"/> a flush queue unless that cannot be set up.
    /// </summary>
    public IommuDma(PagingDomain domain, IommuDmaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(domain);
        this.options = options ?? new IommuDmaOptions();
        Statistics = new DmaStatistics(this.options.CpuCount);
        if (!domain.IsFinalised)
        {
            throw new InvalidOperationException($"domain {domain.Name} must be finalised before DMA use");
        }

        Domain = domain;
        var granule = 1UL << BitOperations.TrailingZeroCount(domain.PageSizeBitmap);
        if (granule > this.options.CpuPageSize)
        {
            throw new InvalidOperationException(
                $"IOVA granule 0x{granule:X} of domain {domain.Name} exceeds the CPU page size 0x{this.options.CpuPageSize:X}");
        }

        var inputBits = domain.PageTable.Config.InputBits;
        apertureEnd = inputBits >= 64 ? ulong.MaxValue : (1UL << inputBits) - 1;
        Iovad = new IovaAllocator(granule, 0, this.options.CpuCount, this.options.Clock);
        foreach (var (start, end) in this.options.Reserved)
        {
            Iovad.Reserve(start >> Iovad.Shift, end >> Iovad.Shift);
        }

        if (this.options.Type == DmaDomainType.DmaFq)
        {
            TryEnableFlushQueue();
        }
    }

    public PagingDomain Domain { get; }

    /// <summary>The IOVA space (<c>cookie->iovad</c>).</summary>
    internal IovaAllocator Iovad { get; }

    /// <summary>The flush queue, present exactly when the domain is lazy (<c>cookie->fq_domain</c>).</summary>
    public FlushQueue? FlushQueue => Volatile.Read(ref flushQueue);

    /// <summary>Strict or lazy, as effectively set up.</summary>
    public DmaDomainType Type => FlushQueue is null ? DmaDomainType.Dma : DmaDomainType.DmaFq;

    public ulong Granule => Iovad.Granule;

    public int CpuCount => options.CpuCount;

    /// <summary>The clock of the flush-queue timer and the depot trimming.</summary>
    public IDmaClock Clock => options.Clock;

    public DmaStatistics Statistics { get; }

    /// <summary>A device that will use this domain.</summary>
    public DmaDevice AddDevice(DmaDeviceOptions? device = null) => new(this, device ?? new DmaDeviceOptions());

    /// <summary>
    /// Turns a strict domain lazy without replacing it (writing DMA-FQ to the group's type):
    /// sets up the flush queue and publishes it. False, and the domain stays strict, when the
    /// IOMMU lacks deferred flushing or the setup fails.
    /// </summary>
    public bool TryEnableFlushQueue()
    {
        if (FlushQueue is not null)
        {
            return true;
        }

        if (!options.SupportsDeferredFlush || options.FailFlushQueueSetup)
        {
            return false;
        }

        var geometry = options.FlushQueue ?? (options.ShadowOnFlush ? FlushQueueOptions.Single : FlushQueueOptions.PerCpu);
        var fq = new FlushQueue(geometry, options.CpuCount, options.Clock, this);
        if (Interlocked.CompareExchange(ref flushQueue, fq, null) is not null)
        {
            fq.Dispose();
        }

        return true;
    }

    /// <summary>
    /// Maps [<paramref name="phys"/>, +<paramref name="size"/>) for <paramref name="device"/>
    /// (<c>iommu_dma_map_phys</c>): the range is widened to whole granules, an IOVA is allocated
    /// below the streaming mask, and the returned DMA address keeps the buffer's offset within its
    /// granule. <see cref="MappingError"/> on failure.
    /// </summary>
    public ulong MapPhys(DmaDevice device, int cpu, ulong phys, ulong size, DmaDirection direction, DmaAttributes attrs = DmaAttributes.None)
    {
        var prot = Prot(direction, device.Options.Coherent, attrs);
        var dma = MapCore(device, cpu, phys, size, prot, device.Options.DmaMask);
        Statistics.Count(cpu, dma == MappingError ? DmaStatistics.MapFailuresCounter : DmaStatistics.SingleMapsCounter);
        return dma;
    }

    /// <summary><c>dma_map_page</c>: <see cref="MapPhys"/> of the page's address plus <paramref name="offset"/>.</summary>
    public ulong MapPage(DmaDevice device, int cpu, ulong page, ulong offset, ulong size, DmaDirection direction, DmaAttributes attrs = DmaAttributes.None) =>
        MapPhys(device, cpu, page + offset, size, direction, attrs);

    /// <summary>
    /// Unmaps a single mapping (<c>iommu_dma_unmap_phys</c>). An address that maps nothing is
    /// refused with a warning (unless the mapping was MMIO or must-be-coherent, which are not looked up).
    /// </summary>
    /// <remarks>
    /// Linux looks the address up (<c>iommu_iova_to_phys</c>) and then unmaps it: two walks. For a
    /// mapping within one granule this takes one: the lock-free one-page unmap clears the leaf only
    /// when a page maps it, which is exactly when the look-up would have found it, so the outcome,
    /// the commands and the counts are the same. Only what it costs the host differs: the leaf's
    /// cache line, which another CPU's neighbouring IOVA shares, is read and cleared back to back
    /// instead of in two walks, so it moves between the CPUs less often.
    /// Anything else (not mapped, a block, a range) takes Linux's two steps.
    /// </remarks>
    public void UnmapPhys(DmaDevice device, int cpu, ulong dmaAddress, ulong size, DmaDirection direction, DmaAttributes attrs = DmaAttributes.None)
    {
        ArgumentNullException.ThrowIfNull(device);
        CheckDirection(direction);
        var offset = dmaAddress & (Granule - 1);
        var fq = FlushQueue;
        if (size != 0 && offset + size <= Granule && Domain.TryUnmapPage(dmaAddress - offset, Granule, deferred: fq is not null))
        {
            FinishUnmap(cpu, fq, dmaAddress - offset, Granule, freelist: null);
            Statistics.Count(cpu, DmaStatistics.SingleUnmapsCounter);
            return;
        }

        if ((attrs & (DmaAttributes.Mmio | DmaAttributes.RequireCoherent)) == 0 && Domain.IovaToPhys(dmaAddress) is null)
        {
            Statistics.Count(cpu, DmaStatistics.UnmapWarningsCounter);
            return;
        }

        UnmapCore(cpu, dmaAddress, size);
        Statistics.Count(cpu, DmaStatistics.SingleUnmapsCounter);
    }

    /// <summary><c>dma_unmap_page</c>: the same as <see cref="UnmapPhys"/>.</summary>
    public void UnmapPage(DmaDevice device, int cpu, ulong dmaAddress, ulong size, DmaDirection direction, DmaAttributes attrs = DmaAttributes.None) =>
        UnmapPhys(device, cpu, dmaAddress, size, direction, attrs);

    /// <summary>The statistics of the DMA calls, the IOVA space and the flush queue, read now.</summary>
    public DmaStatisticsSnapshot Snapshot()
    {
        var s = Statistics;
        var i = Iovad.Statistics;
        var q = FlushQueue?.Statistics;
        return new DmaStatisticsSnapshot(Type, s.Maps, s.Unmaps, s.MapFailures, s.UnmapWarnings, s.IommuMaps, s.StrictUnmaps, s.DeferredUnmaps,
            i.Allocations, i.RcacheHits, i.TreeAllocations, i.TreeFailures, i.RcacheFlushes, i.DepotTrims,
            q?.FullFlushes ?? 0, q?.TimeoutFlushes ?? 0, q?.TeardownFlushes ?? 0,
            q?.EntriesQueued ?? 0, q?.EntriesFreed ?? 0, q?.EntriesDiscarded ?? 0, q?.Overruns ?? 0, q?.EntriesLost ?? 0, q?.Depth ?? 0);
    }

    /// <summary>
    /// Stops the DMA layer (<c>iommu_put_dma_cookie</c>): the flush queue is torn down (with
    /// <paramref name="flushQueued"/>, after a final flush that frees its IOVAs; without, as in
    /// Linux, its IOVAs are dropped) and the depot trimming stops.
    /// </summary>
    public void Close(bool flushQueued)
    {
        FlushQueue?.Teardown(flushQueued);
        Iovad.Dispose();
    }

    /// <summary>Linux teardown: <see cref="Close"/> without a final flush.</summary>
    public void Dispose() => Close(flushQueued: false);

    void IFlushQueueOwner.FlushIotlbAll()
    {
        var listener = options.Listener;
        var ticket = listener?.FlushStarting() ?? 0;
        Domain.FlushAll();
        listener?.FlushFinished(ticket);
    }

    void IFlushQueueOwner.FreeIova(int cpu, ulong pfn, ulong pages) => Iovad.FreeFast(cpu, pfn, pages);

    void IFlushQueueOwner.FreePages(IReadOnlyList<(ulong Address, ulong Bytes)> pages)
    {
        var allocator = Domain.Owner!.Platform.Allocator;
        foreach (var (address, bytes) in pages)
        {
            allocator.Free(address, bytes);
        }
    }

    /// <summary>dma_info_to_prot: access from the direction, then cacheable (or MMIO) and privileged.</summary>
    public static IommuProt Prot(DmaDirection direction, bool coherent, DmaAttributes attrs)
    {
        CheckDirection(direction);
        var prot = (attrs & DmaAttributes.Mmio) != 0 ? IommuProt.Mmio : coherent ? IommuProt.Cache : IommuProt.None;
        if ((attrs & DmaAttributes.Privileged) != 0)
        {
            prot |= IommuProt.Priv;
        }

        return prot | direction switch
        {
            DmaDirection.Bidirectional => IommuProt.Read | IommuProt.Write,
            DmaDirection.ToDevice => IommuProt.Read,
            _ => IommuProt.Write,
        };
    }

    private static void CheckDirection(DmaDirection direction)
    {
        if (direction is not (DmaDirection.Bidirectional or DmaDirection.ToDevice or DmaDirection.FromDevice))
        {
            throw new ArgumentException($"{direction} is not a valid mapping direction", nameof(direction));
        }
    }

    /// <summary>Strict unmap of a partly mapped range whose map failed (the caller frees the IOVA).</summary>
    private void UnmapFailed(ulong iova, ulong bytes)
    {
        Domain.Unmap(iova, bytes);
        options.Listener?.Unmapped(iova, bytes);
    }

    private ulong AlignUp(ulong bytes) => (bytes + Granule - 1) & ~(Granule - 1);

    /// <summary>__iommu_dma_map: offset kept, size widened to granules, IOVA, iommu_map; the IOVA is freed at once on failure.</summary>
    private ulong MapCore(DmaDevice device, int cpu, ulong phys, ulong size, IommuProt prot, ulong dmaMask)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfZero(size);
        var offset = phys & (Granule - 1);
        var bytes = AlignUp(size + offset);
        var iova = AllocIova(device, cpu, bytes, dmaMask);
        if (iova == 0)
        {
            return MappingError;
        }

        if (MapRun(cpu, iova, phys - offset, bytes, prot) != 0)
        {
            Iovad.FreeFast(cpu, iova >> Iovad.Shift, bytes >> Iovad.Shift);
            return MappingError;
        }

        return iova + offset;
    }

    /// <summary>
    /// iommu_dma_alloc_iova: the limit is the mask, lowered to the bus limit and the aperture; a
    /// PCI device tries below 4 GiB first (without flushing the caches) until that fails once,
    /// then the full limit with the cache-flush retry. Returns the IOVA, or 0.
    /// </summary>
    private ulong AllocIova(DmaDevice device, int cpu, ulong bytes, ulong dmaMask)
    {
        var pages = bytes >> Iovad.Shift;
        var limit = dmaMask;
        if (device.Options.BusDmaLimit != 0 && (limit == 0 || device.Options.BusDmaLimit < limit))
        {
            limit = device.Options.BusDmaLimit;
        }

        limit = Math.Min(limit, apertureEnd);
        if (limit > 0xFFFF_FFFF && device.Pci32BitWorkaround)
        {
            var pfn32 = Iovad.AllocFast(cpu, pages, 0xFFFF_FFFFUL >> Iovad.Shift, flushRcache: false);
            if (pfn32 != 0)
            {
                return pfn32 << Iovad.Shift;
            }

            if (device.DropPci32BitWorkaround(64 - BitOperations.LeadingZeroCount(limit)))
            {
                Statistics.Count(cpu, DmaStatistics.Fallbacks32BitCounter);
            }
        }

        return Iovad.AllocFast(cpu, pages, limit >> Iovad.Shift, flushRcache: true) << Iovad.Shift;
    }

    /// <summary>
    /// __iommu_dma_unmap: offset stripped, size widened to granules; strict unmaps invalidate and
    /// free at once, lazy ones unmap without leaf invalidation and queue the IOVA.
    /// </summary>
    private void UnmapCore(int cpu, ulong dmaAddress, ulong size)
    {
        var offset = dmaAddress & (Granule - 1);
        var iova = dmaAddress - offset;
        var bytes = AlignUp(size + offset);
        var fq = FlushQueue;
        IReadOnlyList<(ulong Address, ulong Bytes)>? freelist = null;
        try
        {
            if (fq is null)
            {
                Domain.Unmap(iova, bytes);
            }
            else
            {
                Domain.UnmapDeferred(iova, bytes, out freelist);
            }
        }
        catch (IoPageTableException)
        {
            // The kernel warns that less than the size was unmapped and frees the IOVA anyway.
            Statistics.Count(cpu, DmaStatistics.UnmapWarningsCounter);
        }

        FinishUnmap(cpu, fq, iova, bytes, freelist);
    }

    /// <summary>After the page-table unmap: the listener is told, and the IOVA freed (strict, no <paramref name="fq"/>) or queued in <paramref name="fq"/>.</summary>
    private void FinishUnmap(int cpu, FlushQueue? fq, ulong iova, ulong bytes, IReadOnlyList<(ulong Address, ulong Bytes)>? freelist)
    {
        if (fq is null)
        {
            options.Listener?.Unmapped(iova, bytes);
            Statistics.Count(cpu, DmaStatistics.StrictUnmapsCounter);
            Iovad.FreeFast(cpu, iova >> Iovad.Shift, bytes >> Iovad.Shift);
        }
        else
        {
            options.Listener?.UnmappedDeferred(iova, bytes);
            Statistics.Count(cpu, DmaStatistics.DeferredUnmapsCounter);
            fq.Enqueue(cpu, iova >> Iovad.Shift, bytes >> Iovad.Shift, freelist);
        }
    }
}
