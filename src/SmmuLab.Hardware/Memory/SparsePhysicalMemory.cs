using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SmmuLab.Architecture.Memory;

namespace SmmuLab.Hardware.Memory;

/// <summary>
/// A sparse 52-bit physical address space made of 4 KiB pages allocated on first write. Reads of a
/// page never written return zeros. Addresses outside the configured RAM regions are not backed:
/// a device access there (<see cref="IDeviceMemory"/>) fails, and a CPU-side access
/// (<see cref="IPhysicalMemory"/>) throws.
/// </summary>
/// <remarks>
/// Pages are <c>ulong[512]</c> so that aligned 64-bit accesses are single-copy atomic and 32-bit
/// accesses can use <see cref="Volatile"/> and <see cref="Interlocked"/> on the same storage.
/// Lookups are lock-free (<see cref="ConcurrentDictionary{TKey,TValue}"/>); the last page touched
/// by each thread is cached.
/// </remarks>
public sealed class SparsePhysicalMemory : IPhysicalMemory, IDeviceMemory
{
    public const int PageShift = MemoryPageView.Shift;
    public const ulong PageSize = 1UL << PageShift;
    public const int PhysicalAddressBits = 52;

    private const int WordsPerPage = MemoryPageView.Words;

    [ThreadStatic]
    private static PageCache? lastPage;

    private readonly ConcurrentDictionary<ulong, ulong[]> pages = new();
    private readonly (ulong Start, ulong End)[] ram;

    /// <summary>A memory backed everywhere below 2^52.</summary>
    public SparsePhysicalMemory()
        : this([(0UL, 1UL << PhysicalAddressBits)])
    {
    }

    /// <summary>A memory backed only inside the given [start, end) regions.</summary>
    public SparsePhysicalMemory(IEnumerable<(ulong Start, ulong End)> ramRegions)
    {
        ram = [.. ramRegions];
    }

    /// <summary>Number of 4 KiB pages that have been written.</summary>
    public int AllocatedPages => pages.Count;

    /// <summary>True when <paramref name="pa"/> is backed.</summary>
    public bool IsBacked(ulong pa) => RegionEnd(pa) != pa;

    public uint Read32(ulong pa)
    {
        CheckAligned(pa, 4);
        var page = PageForRead(pa);
        return page is null ? 0 : Words32(page)[(int)((pa & (PageSize - 1)) >> 2)];
    }

    public ulong Read64(ulong pa)
    {
        CheckAligned(pa, 8);
        var page = PageForRead(pa);
        return page is null ? 0 : Volatile.Read(ref page[(int)((pa & (PageSize - 1)) >> 3)]);
    }

    public void Write32(ulong pa, uint value)
    {
        CheckAligned(pa, 4);
        Words32(PageForWrite(pa))[(int)((pa & (PageSize - 1)) >> 2)] = value;
    }

    public void Write64(ulong pa, ulong value)
    {
        CheckAligned(pa, 8);
        Volatile.Write(ref PageForWrite(pa)[(int)((pa & (PageSize - 1)) >> 3)], value);
    }

    public uint ReadVolatile32(ulong pa)
    {
        CheckAligned(pa, 4);
        var page = PageForRead(pa);
        return page is null ? 0 : Volatile.Read(ref Words32(page)[(int)((pa & (PageSize - 1)) >> 2)]);
    }

    public void WriteVolatile32(ulong pa, uint value)
    {
        CheckAligned(pa, 4);
        Volatile.Write(ref Words32(PageForWrite(pa))[(int)((pa & (PageSize - 1)) >> 2)], value);
    }

    public uint CompareExchange32(ulong pa, uint value, uint comparand)
    {
        CheckAligned(pa, 4);
        return Interlocked.CompareExchange(ref Words32(PageForWrite(pa))[(int)((pa & (PageSize - 1)) >> 2)], value, comparand);
    }

    public void Read(ulong pa, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            var offset = (int)(pa & (PageSize - 1));
            var n = Math.Min(destination.Length, (int)PageSize - offset);
            var page = PageForRead(pa);
            if (page is null)
            {
                destination[..n].Clear();
            }
            else
            {
                MemoryMarshal.AsBytes(page.AsSpan()).Slice(offset, n).CopyTo(destination);
            }

            destination = destination[n..];
            pa += (ulong)n;
        }
    }

    public void Write(ulong pa, ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            var offset = (int)(pa & (PageSize - 1));
            var n = Math.Min(source.Length, (int)PageSize - offset);
            source[..n].CopyTo(MemoryMarshal.AsBytes(PageForWrite(pa).AsSpan()).Slice(offset, n));
            source = source[n..];
            pa += (ulong)n;
        }
    }

    /// <summary>The page's storage (allocated on first use); pages are never dropped, so the array stays valid.</summary>
    public ulong[] PageWords(ulong pa) => PageForWrite(pa);

    /// <summary>The page's storage when it is backed (allocated on first use), else null.</summary>
    public ulong[]? BackedPageWords(ulong pa) => TryPageForWrite(pa, out var page) ? page : null;

    public bool TryRead32(ulong pa, out uint value)
    {
        CheckAligned(pa, 4);
        if (!TryPageForRead(pa, out var page))
        {
            value = 0;
            return false;
        }

        value = page is null ? 0 : Volatile.Read(ref Words32(page)[(int)((pa & (PageSize - 1)) >> 2)]);
        return true;
    }

    public bool TryRead64(ulong pa, out ulong value)
    {
        // The fast path: an aligned read of the page this thread used last (an SMMU reading its
        // queue mostly stays in one page). The thread-static is read once, also for the slow path.
        var cache = lastPage;
        if ((pa & 7) == 0 && cache is not null && cache.Owner == this && cache.Frame == pa >> PageShift)
        {
            value = Volatile.Read(ref cache.Page[(int)((pa & (PageSize - 1)) >> 3)]);
            return true;
        }

        return TryRead64Slow(pa, cache, out value);
    }

    public bool TryWrite32(ulong pa, uint value)
    {
        CheckAligned(pa, 4);
        if (!TryPageForWrite(pa, out var page))
        {
            return false;
        }

        Volatile.Write(ref Words32(page)[(int)((pa & (PageSize - 1)) >> 2)], value);
        return true;
    }

    public bool TryWrite64(ulong pa, ulong value)
    {
        if ((pa & 7) == 0 && CachedPage(pa) is { } cached)
        {
            Volatile.Write(ref cached[(int)((pa & (PageSize - 1)) >> 3)], value);
            return true;
        }

        return TryWrite64Slow(pa, value);
    }

    /// <summary>
    /// A read that missed the thread's last page (a table walk reads a new page at every level):
    /// the region check, the page lookup, and the page remembered in <paramref name="cache"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryRead64Slow(ulong pa, PageCache? cache, out ulong value)
    {
        CheckAligned(pa, 8);
        if (!IsBacked(pa))
        {
            value = 0;
            return false;
        }

        var frame = pa >> PageShift;
        if (!pages.TryGetValue(frame, out var page))
        {
            value = 0; // backed, never written: reads as zeros
            return true;
        }

        Remember(cache ?? (lastPage = new PageCache()), frame, page);
        value = Volatile.Read(ref page[(int)((pa & (PageSize - 1)) >> 3)]);
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryWrite64Slow(ulong pa, ulong value)
    {
        CheckAligned(pa, 8);
        if (!TryPageForWrite(pa, out var page))
        {
            return false;
        }

        Volatile.Write(ref page[(int)((pa & (PageSize - 1)) >> 3)], value);
        return true;
    }

    public bool TryCompareExchange32(ulong pa, uint value, uint comparand, out uint original)
    {
        CheckAligned(pa, 4);
        if (!TryPageForWrite(pa, out var page))
        {
            original = 0;
            return false;
        }

        original = Interlocked.CompareExchange(ref Words32(page)[(int)((pa & (PageSize - 1)) >> 2)], value, comparand);
        return true;
    }

    public bool TryRead(ulong pa, Span<byte> destination)
    {
        if (!IsBacked(pa, (ulong)destination.Length))
        {
            return false;
        }

        Read(pa, destination);
        return true;
    }

    public bool TryWrite(ulong pa, ReadOnlySpan<byte> source)
    {
        if (!IsBacked(pa, (ulong)source.Length))
        {
            return false;
        }

        Write(pa, source);
        return true;
    }

    /// <summary>True when every byte of [<paramref name="pa"/>, <paramref name="pa"/> + <paramref name="length"/>) is backed.</summary>
    public bool IsBacked(ulong pa, ulong length)
    {
        while (length > 0)
        {
            var end = RegionEnd(pa);
            if (end == pa)
            {
                return false;
            }

            var n = Math.Min(length, end - pa);
            pa += n;
            length -= n;
        }

        return true;
    }

    /// <summary>Zeroes [pa, pa+length) (pages stay allocated).</summary>
    public void Clear(ulong pa, ulong length)
    {
        Span<byte> zeros = stackalloc byte[256];
        zeros.Clear();
        while (length > 0)
        {
            var n = (int)Math.Min(length, (ulong)zeros.Length);
            Write(pa, zeros[..n]);
            pa += (ulong)n;
            length -= (ulong)n;
        }
    }

    private static Span<uint> Words32(ulong[] page) => MemoryMarshal.Cast<ulong, uint>(page.AsSpan());

    private static void CheckAligned(ulong pa, int size)
    {
        if ((pa & (ulong)(size - 1)) != 0)
        {
            throw new ArgumentException($"unaligned {size * 8}-bit access at PA 0x{pa:x}");
        }
    }

    private ulong[]? PageForRead(ulong pa) => TryPageForRead(pa, out var page) ? page : throw new PhysicalMemoryAbortException(pa);

    private ulong[] PageForWrite(ulong pa) => TryPageForWrite(pa, out var page) ? page : throw new PhysicalMemoryAbortException(pa);

    /// <summary>The page holding <paramref name="pa"/> when it is the one this thread used last (so backed and allocated), else null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong[]? CachedPage(ulong pa)
    {
        var cache = lastPage;
        return cache is not null && cache.Owner == this && cache.Frame == pa >> PageShift ? cache.Page : null;
    }

    /// <summary>
    /// The page holding <paramref name="pa"/> for a read: false when it is not backed, a null page
    /// when it is backed but never written (it reads as zeros). The page last used by this thread is
    /// checked first; it was backed when remembered, so a hit needs no region lookup.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryPageForRead(ulong pa, out ulong[]? page)
    {
        var frame = pa >> PageShift;
        var cache = lastPage;
        if (cache is not null && cache.Owner == this && cache.Frame == frame)
        {
            page = cache.Page;
            return true;
        }

        page = null;
        if (!IsBacked(pa))
        {
            return false;
        }

        if (pages.TryGetValue(frame, out page))
        {
            Remember(frame, page);
        }

        return true;
    }

    /// <summary>The page holding <paramref name="pa"/> for a write, allocated on first use; false when it is not backed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryPageForWrite(ulong pa, out ulong[] page)
    {
        var frame = pa >> PageShift;
        var cache = lastPage;
        if (cache is not null && cache.Owner == this && cache.Frame == frame)
        {
            page = cache.Page;
            return true;
        }

        if (!IsBacked(pa))
        {
            page = [];
            return false;
        }

        page = pages.GetOrAdd(frame, static _ => new ulong[WordsPerPage]);
        Remember(frame, page);
        return true;
    }

    /// <summary>The end of the RAM region holding <paramref name="pa"/>, or <paramref name="pa"/> itself when none does.</summary>
    private ulong RegionEnd(ulong pa)
    {
        foreach (var (start, end) in ram)
        {
            if (pa >= start && pa < end)
            {
                return end;
            }
        }

        return pa;
    }

    private void Remember(ulong frame, ulong[] page) => Remember(lastPage ??= new PageCache(), frame, page);

    /// <summary>Makes <paramref name="page"/> the thread's last page; the owner is written only when it changes (a write barrier saved).</summary>
    private void Remember(PageCache cache, ulong frame, ulong[] page)
    {
        if (cache.Owner != this)
        {
            cache.Owner = this;
        }

        cache.Frame = frame;
        cache.Page = page;
    }

    private sealed class PageCache
    {
        public SparsePhysicalMemory? Owner;
        public ulong Frame;
        public ulong[] Page = [];
    }
}

/// <summary>An access to a physical address no memory backs (an external abort on the bus).</summary>
public sealed class PhysicalMemoryAbortException(ulong address)
    : Exception($"external abort: no memory at PA 0x{address:x}")
{
    public ulong Address { get; } = address;
}
