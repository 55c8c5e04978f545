namespace SmmuLab.Verification;

/// <summary>
/// Non-overlapping extents of page numbers [First, Last] (inclusive), each with a value, sorted by
/// first page: what the oracle keeps per domain instead of one entry per page, so that a mapping of
/// terabytes costs one extent. Setting a range overwrites what it overlaps (splitting extents at
/// its edges); removing one returns the pieces it cut out.
/// </summary>
/// <remarks>Not thread-safe: the oracle holds its lock around every use.</remarks>
internal sealed class PageExtentMap<T>
{
    private readonly List<Extent> extents = [];

    public int Count => extents.Count;

    /// <summary>The value of the extent holding <paramref name="page"/>, if any.</summary>
    public bool TryFind(ulong page, out T value)
    {
        var i = LastStartingAtOrBefore(page);
        if (i >= 0 && extents[i].Last >= page)
        {
            value = extents[i].Value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>[first, last] now has <paramref name="value"/>, replacing what was there.</summary>
    public void Set(ulong first, ulong last, T value)
    {
        Remove(first, last, null);
        var i = LastStartingAtOrBefore(first) + 1;
        extents.Insert(i, new Extent(first, last, value));
    }

    /// <summary>
    /// Removes [first, last]; the extents it overlapped keep their parts outside it. Every piece
    /// removed is added to <paramref name="removed"/> (when given), in page order.
    /// </summary>
    public void Remove(ulong first, ulong last, List<(ulong First, ulong Last, T Value)>? removed)
    {
        var i = LastStartingAtOrBefore(first);
        if (i < 0 || extents[i].Last < first)
        {
            i++;
        }

        while (i < extents.Count && extents[i].First <= last)
        {
            var e = extents[i];
            removed?.Add((Math.Max(e.First, first), Math.Min(e.Last, last), e.Value));
            extents.RemoveAt(i);
            if (e.First < first)
            {
                extents.Insert(i++, e with { Last = first - 1 });
            }

            if (e.Last > last)
            {
                extents.Insert(i++, e with { First = last + 1 });
            }
        }
    }

    /// <summary>
    /// Removes every extent whose value satisfies <paramref name="match"/>, adding each to
    /// <paramref name="removed"/> in page order.
    /// </summary>
    public void RemoveWhere(Func<T, bool> match, List<(ulong First, ulong Last, T Value)> removed)
    {
        var kept = 0;
        for (var i = 0; i < extents.Count; i++)
        {
            var e = extents[i];
            if (match(e.Value))
            {
                removed.Add((e.First, e.Last, e.Value));
            }
            else
            {
                extents[kept++] = e;
            }
        }

        extents.RemoveRange(kept, extents.Count - kept);
    }

    /// <summary>Index of the last extent whose first page is at or before <paramref name="page"/>, or -1.</summary>
    private int LastStartingAtOrBefore(ulong page)
    {
        int lo = 0, hi = extents.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (extents[mid].First <= page)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    private readonly record struct Extent(ulong First, ulong Last, T Value);
}
