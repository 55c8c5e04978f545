using System.Numerics;

namespace SmmuLab.Driver.Dma;

/// <summary>
/// The IOVA space of one DMA domain (Linux <c>struct iova_domain</c>, drivers/iommu/iova.c): ranges
/// of page frames of <see cref="Granule"/> bytes in an <see cref="IovaTree"/> under one lock,
/// allocated top-down below a limit and aligned to their size rounded up to a power of two, with
/// two search hints (below and above 4 GiB) and a fast failure for sizes that recently did not fit
/// below 4 GiB; in front of it the range cache: per CPU and per size class (1 to 32 pages), two
/// magazines of freed frames, and a global depot per class trimmed by delayed work.
/// </summary>
/// <remarks>
/// <para>Callers name the CPU they run on; per-CPU state is only ever used under that CPU's lock,
/// so a wrong or shared CPU number costs locality, not correctness.</para>
/// <para>Frees are trusted as in the kernel: a fast-path free is cached or removed by its first
/// frame without checking that it was allocated with that size.</para>
/// <para>Memory: the tree holds the live allocations, the cached frames and the reservations; each
/// CPU holds 2 × 6 magazines of 1 KiB; the depots hold full magazines until trimmed.</para>
/// </remarks>
internal sealed partial class IovaAllocator : IDisposable
{
    /// <summary>IOVA_RANGE_CACHE_MAX_SIZE: size classes 0..5 (1, 2, 4, 8, 16, 32 pages) are cached.</summary>
    public const int RangeCacheMaxSize = 6;

    /// <summary>Requests below this many pages are rounded up to a power of two (1 &lt;&lt; (RangeCacheMaxSize − 1)).</summary>
    public const ulong RoundingLimit = 1UL << (RangeCacheMaxSize - 1);

    /// <summary>IOVA_MAG_SIZE: frames per magazine.</summary>
    public const int MagazineSize = IovaMagazine.Capacity;

    /// <summary>IOVA_DEPOT_DELAY: the delay of the depot trimming work.</summary>
    public static readonly TimeSpan DepotDelay = TimeSpan.FromMilliseconds(100);

    private readonly Lock treeLock = new();
    private readonly IovaTree tree = new();
    private readonly IovaNode anchor;
    private readonly IovaRangeCache[] rcaches;
    private IovaNode cachedNode;
    private IovaNode cached32Node;
    private ulong max32AllocSize;

    /// <summary>
    /// An IOVA space of <paramref name="granule"/>-byte pages starting at frame
    /// <paramref name="startPfn"/> (raised to 1: frame 0 is never handed out), with range caches for
    /// <paramref name="cpuCount"/> CPUs. With a <paramref name="clock"/>, the depots are trimmed by
    /// delayed work on it; without, only by <see cref="TrimDepots"/>.
    /// </summary>
    public IovaAllocator(ulong granule, ulong startPfn, int cpuCount, IDmaClock? clock = null)
    {
        if (granule < 2 || !BitOperations.IsPow2(granule))
        {
            throw new ArgumentException($"granule 0x{granule:X} is not a power of two of at least 2 bytes", nameof(granule));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(cpuCount, 1);
        Granule = granule;
        Shift = BitOperations.TrailingZeroCount(granule);
        StartPfn = Math.Max(1, startPfn);
        Dma32BitPfn = Shift >= 32 ? 1 : 1UL << (32 - Shift);
        max32AllocSize = Dma32BitPfn;
        CpuCount = cpuCount;
        Statistics = new IovaStatistics(cpuCount);
        anchor = tree.NewNode(ulong.MaxValue, ulong.MaxValue);
        tree.Insert(anchor);
        cachedNode = anchor;
        cached32Node = anchor;
        rcaches = new IovaRangeCache[RangeCacheMaxSize];
        for (var i = 0; i < RangeCacheMaxSize; i++)
        {
            rcaches[i] = new IovaRangeCache(this, i, cpuCount, clock);
        }
    }

    /// <summary>Bytes per page frame.</summary>
    public ulong Granule { get; }

    /// <summary>log2 of <see cref="Granule"/>.</summary>
    public int Shift { get; }

    /// <summary>The lowest frame handed out (at least 1).</summary>
    public ulong StartPfn { get; }

    /// <summary>The first frame at or above 4 GiB (<c>dma_32bit_pfn</c>).</summary>
    public ulong Dma32BitPfn { get; }

    /// <summary>CPUs with range caches (all of them online).</summary>
    public int CpuCount { get; }

    /// <summary>The largest range the cache holds, in bytes (<c>iova_rcache_range</c> for this granule).</summary>
    public ulong CachedRangeBytes => Granule << (RangeCacheMaxSize - 1);

    public IovaStatistics Statistics { get; }

    /// <summary>
    /// Below 4 GiB, requests of at least this many pages fail at once (<c>max32_alloc_size</c>); reset
    /// to <see cref="Dma32BitPfn"/> when a range starting below 4 GiB is removed.
    /// </summary>
    public ulong Max32AllocSize
    {
        get
        {
            lock (treeLock)
            {
                return max32AllocSize;
            }
        }
    }

    /// <summary>Ranges in the tree, including the anchor at frame ~0, reservations and cached frames.</summary>
    public int TreeCount
    {
        get
        {
            lock (treeLock)
            {
                return tree.Count;
            }
        }
    }

    /// <summary>order_base_2: the smallest k with 2^k ≥ <paramref name="pages"/> (0 for 1).</summary>
    public static int OrderBase2(ulong pages) => pages <= 1 ? 0 : 64 - BitOperations.LeadingZeroCount(pages - 1);

    /// <summary>The pages a fast-path request of <paramref name="pages"/> reserves: rounded up to a power of two below 32.</summary>
    public static ulong RoundedPages(ulong pages) => pages < RoundingLimit ? BitOperations.RoundUpToPowerOf2(pages) : pages;

    /// <summary>
    /// Allocates <paramref name="pages"/> frames ending at or below <paramref name="limitPfn"/>
    /// (<c>alloc_iova_fast</c>): rounds small sizes up, tries the caller's CPU range cache, then the
    /// tree; if that fails and <paramref name="flushRcache"/> is set, returns every CPU's cached
    /// frames and the depots to the tree and retries once. Returns the first frame, or 0.
    /// </summary>
    public ulong AllocFast(int cpu, ulong pages, ulong limitPfn, bool flushRcache)
    {
        CheckCpu(cpu);
        ArgumentOutOfRangeException.ThrowIfZero(pages);
        Statistics.Count(cpu, IovaStatistics.AllocationsCounter);
        pages = RoundedPages(pages);
        var pfn = RcacheGet(cpu, pages, limitPfn == ulong.MaxValue ? limitPfn : limitPfn + 1);
        if (pfn != 0)
        {
            Statistics.Count(cpu, IovaStatistics.RcacheHitsCounter);
            return pfn;
        }

        while (true)
        {
            pfn = Alloc(pages, limitPfn, sizeAligned: true);
            if (pfn != 0 || !flushRcache)
            {
                return pfn;
            }

            flushRcache = false;
            Interlocked.Increment(ref Statistics.rcacheFlushes);
            for (var c = 0; c < CpuCount; c++)
            {
                FreeCpuCachedIovas(c);
            }

            FreeGlobalCachedIovas();
        }
    }

    /// <summary>
    /// Frees a fast-path allocation (<c>free_iova_fast</c>): into the caller's CPU range cache when
    /// its class is cached (the class of the unrounded <paramref name="pages"/>, the same as the
    /// rounded allocation's), else out of the tree.
    /// </summary>
    public void FreeFast(int cpu, ulong pfn, ulong pages)
    {
        CheckCpu(cpu);
        Statistics.Count(cpu, IovaStatistics.FreesCounter);
        var sizeClass = OrderBase2(pages);
        if (sizeClass < RangeCacheMaxSize && rcaches[sizeClass].Insert(cpu, pfn))
        {
            Statistics.Count(cpu, IovaStatistics.RcacheInsertsCounter);
            return;
        }

        Free(pfn);
    }

    /// <summary>Returns the frames cached for <paramref name="cpu"/> in every class to the tree (<c>free_cpu_cached_iovas</c>).</summary>
    public void FreeCpuCachedIovas(int cpu)
    {
        CheckCpu(cpu);
        foreach (var r in rcaches)
        {
            r.FlushCpu(cpu);
        }
    }

    /// <summary>Returns every depot magazine to the tree (<c>free_global_cached_iovas</c>).</summary>
    public void FreeGlobalCachedIovas()
    {
        foreach (var r in rcaches)
        {
            r.FlushDepot();
        }
    }

    /// <summary>
    /// Runs the delayed depot work of every class once, as when its 100 ms timer expires: a class
    /// whose depot holds more magazines than there are CPUs returns one magazine to the tree.
    /// Returns the magazines trimmed.
    /// </summary>
    public int TrimDepots()
    {
        var n = 0;
        foreach (var r in rcaches)
        {
            n += r.TrimOnce() ? 1 : 0;
        }

        return n;
    }

    /// <summary>Full magazines in the depot of <paramref name="sizeClass"/>.</summary>
    public int DepotSize(int sizeClass) => rcaches[sizeClass].DepotSize;

    /// <summary>Frames of <paramref name="sizeClass"/> cached for <paramref name="cpu"/> (loaded and previous magazine).</summary>
    public int CachedFrames(int cpu, int sizeClass)
    {
        CheckCpu(cpu);
        return rcaches[sizeClass].CachedOn(cpu);
    }

    /// <summary>Frames held by every range cache: the CPUs' magazines and the depots (each read under its lock).</summary>
    public long CachedFramesTotal()
    {
        var n = 0L;
        for (var c = 0; c < RangeCacheMaxSize; c++)
        {
            n += (long)DepotSize(c) * MagazineSize;
            for (var cpu = 0; cpu < CpuCount; cpu++)
            {
                n += rcaches[c].CachedOn(cpu);
            }
        }

        return n;
    }

    /// <summary>Stops the depot trimming (the IOVA domain is being put).</summary>
    public void Dispose()
    {
        foreach (var r in rcaches)
        {
            r.StopTrim();
        }
    }

    private ulong RcacheGet(int cpu, ulong pages, ulong limitPfnExclusive)
    {
        var sizeClass = OrderBase2(pages);
        return sizeClass >= RangeCacheMaxSize || limitPfnExclusive < pages ? 0 : rcaches[sizeClass].Get(cpu, limitPfnExclusive - pages);
    }

    private void CheckCpu(int cpu)
    {
        if ((uint)cpu >= (uint)CpuCount)
        {
            throw new ArgumentOutOfRangeException(nameof(cpu), cpu, $"CPU numbers are 0..{CpuCount - 1}");
        }
    }
}
