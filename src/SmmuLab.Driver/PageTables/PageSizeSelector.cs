using System.Numerics;

namespace SmmuLab.Driver.PageTables;

/// <summary>
/// How the IOMMU core cuts a map or unmap request into pages (the kernel's <c>iommu_pgsize</c>):
/// at each step, the largest supported page size that does not exceed what remains and to which
/// both the IOVA and the PA are aligned. Unmap passes the IOVA as the PA.
/// </summary>
internal static class PageSizeSelector
{
    /// <summary>
    /// The page size for the next piece of a request, or 0 when no size in <paramref name="pageSizeBitmap"/>
    /// fits (the request is smaller than, or not aligned to, the smallest page).
    /// </summary>
    /// <param name="pageSizeBitmap">Supported sizes, one bit each.</param>
    /// <param name="iova">IOVA of the piece.</param>
    /// <param name="pa">PA of the piece.</param>
    /// <param name="remaining">Bytes left in the request.</param>
    public static ulong Select(ulong pageSizeBitmap, ulong iova, ulong pa, ulong remaining)
    {
        if (remaining == 0)
        {
            return 0;
        }

        // Sizes no larger than what remains.
        var candidates = pageSizeBitmap & BitsUpTo(63 - BitOperations.LeadingZeroCount(remaining));

        // Sizes to which both addresses are aligned (any size when both are zero).
        var merged = iova | pa;
        if (merged != 0)
        {
            candidates &= BitsUpTo(BitOperations.TrailingZeroCount(merged));
        }

        return candidates == 0 ? 0 : 1UL << (63 - BitOperations.LeadingZeroCount(candidates));
    }

    /// <summary>Splits a request into the pages <see cref="Select"/> chooses, calling <paramref name="visit"/> for each (tests and tracing).</summary>
    public static int Split(ulong pageSizeBitmap, ulong iova, ulong pa, ulong size, Action<ulong, ulong, ulong>? visit = null)
    {
        var pieces = 0;
        for (var done = 0UL; done < size;)
        {
            var page = Select(pageSizeBitmap, iova + done, pa + done, size - done);
            if (page == 0)
            {
                throw new ArgumentException("the request is not a multiple of the smallest page size", nameof(size));
            }

            visit?.Invoke(iova + done, pa + done, page);
            done += page;
            pieces++;
        }

        return pieces;
    }

    /// <summary>A mask of bits 0..<paramref name="bit"/>.</summary>
    private static ulong BitsUpTo(int bit) => bit >= 63 ? ulong.MaxValue : (2UL << bit) - 1;
}
