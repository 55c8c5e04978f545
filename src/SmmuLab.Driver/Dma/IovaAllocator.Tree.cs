using System.Numerics;

namespace SmmuLab.Driver.Dma;

internal sealed partial class IovaAllocator
{
    /// <summary>
    /// Allocates <paramref name="pages"/> frames ending at or below <paramref name="limitPfn"/> from
    /// the tree (<c>alloc_iova</c>), no rounding, no cache. Size-aligned: the first frame is a
    /// multiple of <paramref name="pages"/> rounded up to a power of two. Returns the first frame, or 0.
    /// </summary>
    public ulong Alloc(ulong pages, ulong limitPfn, bool sizeAligned)
    {
        ArgumentOutOfRangeException.ThrowIfZero(pages);
        var limit = limitPfn == ulong.MaxValue ? limitPfn : limitPfn + 1;
        lock (treeLock)
        {
            var node = tree.NewNode(0, 0);
            if (!AllocAndInsertLocked(pages, limit, node, sizeAligned))
            {
                tree.Recycle(node);
                Statistics.treeFailures++;
                return 0;
            }

            Statistics.treeAllocations++;
            return node.PfnLo;
        }
    }

    /// <summary>Removes the range containing <paramref name="pfn"/> from the tree (<c>free_iova</c>); false when there is none.</summary>
    public bool Free(ulong pfn)
    {
        lock (treeLock)
        {
            var node = tree.Find(pfn);
            if (node is null || node == anchor)
            {
                return false;
            }

            RemoveLocked(node);
            Statistics.treeFrees++;
            return true;
        }
    }

    /// <summary>
    /// Takes [<paramref name="pfnLo"/>, <paramref name="pfnHi"/>] out of the allocatable space
    /// (<c>reserve_iova</c>): the parts not already in the tree are inserted as reserved ranges.
    /// The search hints are not moved.
    /// </summary>
    public void Reserve(ulong pfnLo, ulong pfnHi)
    {
        if (pfnLo > pfnHi)
        {
            throw new ArgumentException($"reservation [0x{pfnLo:x}, 0x{pfnHi:x}] is reversed");
        }

        lock (treeLock)
        {
            var lo = pfnLo;
            while (true)
            {
                // The anchor ends at ~0, so some range always ends at or above lo.
                var n = tree.LowestEndingAtOrAbove(lo)!;
                if (n.PfnLo > lo)
                {
                    var hi = Math.Min(pfnHi, n.PfnLo - 1);
                    tree.Insert(tree.NewNode(lo, hi));
                    if (hi == pfnHi)
                    {
                        return;
                    }
                }

                if (n.PfnHi >= pfnHi)
                {
                    return;
                }

                lo = n.PfnHi + 1;
            }
        }
    }

    /// <summary>The ranges in the tree in ascending order, without the anchor (a snapshot).</summary>
    public IReadOnlyList<(ulong PfnLo, ulong PfnHi)> Ranges()
    {
        lock (treeLock)
        {
            var list = new List<(ulong, ulong)>(tree.Count);
            foreach (var n in tree.InOrder())
            {
                if (n != anchor)
                {
                    list.Add((n.PfnLo, n.PfnHi));
                }
            }

            return list;
        }
    }

    /// <summary>True when a range in the tree contains <paramref name="pfn"/>.</summary>
    public bool IsAllocated(ulong pfn)
    {
        lock (treeLock)
        {
            var n = tree.Find(pfn);
            return n is not null && n != anchor;
        }
    }

    /// <summary>Checks the tree's structure and that the search hints are in it; throws when broken.</summary>
    public void Validate()
    {
        lock (treeLock)
        {
            tree.Validate();
            if (tree.Find(cachedNode.PfnLo) != cachedNode || tree.Find(cached32Node.PfnLo) != cached32Node)
            {
                throw new InvalidOperationException("a search hint is not in the tree");
            }

            if (tree.Last != anchor)
            {
                throw new InvalidOperationException("the anchor is not the highest range");
            }
        }
    }

    /// <summary>Returns a magazine's frames to the tree and empties it (<c>iova_magazine_free_pfns</c>).</summary>
    internal void FreeMagazineFrames(IovaMagazine mag)
    {
        lock (treeLock)
        {
            for (var i = 0; i < mag.Size; i++)
            {
                var node = tree.Find(mag.Pfns[i]);
                if (node is null || node == anchor)
                {
                    continue;
                }

                RemoveLocked(node);
            }
        }

        Interlocked.Add(ref Statistics.cachedFramesReturned, mag.Size);
        mag.Size = 0;
    }

    /// <summary>
    /// The top-down search (<c>__alloc_and_insert_iova_range</c>). <paramref name="limit"/> is
    /// exclusive. Starts at the hint for the limit's side of 4 GiB and steps down range by range
    /// until the aligned candidate below the current range clears the next lower one; if that runs
    /// out, searches once more between the old hint and the exact limit; on failure remembers the
    /// size in <c>max32_alloc_size</c>.
    /// </summary>
    private bool AllocAndInsertLocked(ulong size, ulong limit, IovaNode node, bool sizeAligned)
    {
        // fls(size - 1) bits of alignment: 1 page unaligned, 33 pages on a 64-page boundary.
        var alignMask = sizeAligned ? ~0UL << (64 - BitOperations.LeadingZeroCount(size - 1)) : ~0UL;

        var high = limit;
        var low = StartPfn;
        if (limit <= Dma32BitPfn && size >= max32AllocSize)
        {
            Statistics.fastFailures++;
            return false;
        }

        IovaNode? curr = limit <= Dma32BitPfn ? cached32Node : cachedNode;
        var retryPfn = curr.PfnHi;
        ulong candidate;
        while (true)
        {
            do
            {
                high = Math.Min(high, curr!.PfnLo);
                candidate = unchecked(high - size) & alignMask;
                curr = IovaTree.Prev(curr);
            }
            while (curr is not null && candidate <= curr.PfnHi && candidate >= low);

            if (high >= size && candidate >= low)
            {
                break;
            }

            if (low == StartPfn && retryPfn < limit)
            {
                high = limit;
                low = retryPfn + 1;
                curr = tree.LowestEndingAtOrAbove(limit) ?? anchor;
                continue;
            }

            max32AllocSize = size;
            return false;
        }

        node.PfnLo = candidate;
        node.PfnHi = candidate + size - 1;
        tree.Insert(node);
        if (node.PfnHi < Dma32BitPfn)
        {
            cached32Node = node;
        }
        else
        {
            cachedNode = node;
        }

        return true;
    }

    /// <summary>Removes a range, moving a hint that pointed at or below it up past it (<c>remove_iova</c>).</summary>
    private void RemoveLocked(IovaNode node)
    {
        var next = IovaTree.Next(node)!;
        if (node == cached32Node || (node.PfnHi < Dma32BitPfn && node.PfnLo >= cached32Node.PfnLo))
        {
            cached32Node = next;
        }

        if (node.PfnLo < Dma32BitPfn)
        {
            max32AllocSize = Dma32BitPfn;
        }

        if (node.PfnLo >= cachedNode.PfnLo)
        {
            cachedNode = next;
        }

        tree.Remove(node);
        tree.Recycle(node);
    }
}
