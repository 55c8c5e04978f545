using SmmuLab.Driver.Dma;
using SmmuLab.Replay.Events;

namespace SmmuLab.Replay.Engine;

/// <summary>
/// Rebuilds the input list of a <c>dma_map_sg</c>: the event prints each input segment's physical
/// address but only the output (DMA) segments' lengths. Their sum is the list's total length.
/// With as many output segments as input segments, nothing was joined and the lengths are the
/// output lengths. Otherwise each segment but the last is taken to run from its address to the end
/// of its 4 KiB page (block I/O's usual page-sized segments), and the last gets the rest; when
/// that leaves the last nothing, the total is shared out evenly.
/// </summary>
internal static class SgLayout
{
    public const ulong Page = 4096;

    /// <summary>The input list, or null when the event cannot give one (a cut list, no segments, no length).</summary>
    public static ScatterlistEntry[]? InputList(in DmaMapSgEvent e)
    {
        var phys = e.PhysAddresses;
        var lengths = e.Lengths;
        if (e.Truncated || phys.IsDefaultOrEmpty || lengths.IsDefaultOrEmpty)
        {
            return null;
        }

        ulong total = 0;
        foreach (var l in lengths)
        {
            total += l;
        }

        var n = phys.Length;
        if (total < (ulong)n)
        {
            return null;
        }

        var list = new ScatterlistEntry[n];
        if (lengths.Length == n)
        {
            for (var i = 0; i < n; i++)
            {
                list[i] = new ScatterlistEntry(phys[i], lengths[i]);
            }

            return list;
        }

        ulong used = 0;
        var fits = true;
        for (var i = 0; i < n - 1; i++)
        {
            var length = Page - (phys[i] & (Page - 1));
            used += length;
            if (used >= total)
            {
                fits = false;
                break;
            }

            list[i] = new ScatterlistEntry(phys[i], (uint)length);
        }

        if (fits && total - used <= uint.MaxValue)
        {
            list[n - 1] = new ScatterlistEntry(phys[n - 1], (uint)(total - used));
            return list;
        }

        var share = total / (ulong)n;
        for (var i = 0; i < n; i++)
        {
            var length = i == n - 1 ? total - (share * (ulong)(n - 1)) : share;
            if (length > uint.MaxValue)
            {
                return null;
            }

            list[i] = new ScatterlistEntry(phys[i], (uint)length);
        }

        return list;
    }
}
