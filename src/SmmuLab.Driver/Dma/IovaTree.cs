namespace SmmuLab.Driver.Dma;

/// <summary>
/// The IOVA ranges of a domain in a red-black tree ordered by first page frame (the kernel's
/// <c>iova_rbtree</c>). Ranges never overlap, so the order by <see cref="IovaNode.PfnLo"/> is also
/// the order by <see cref="IovaNode.PfnHi"/>. Removing a node relinks the others without copying
/// keys, so references to the remaining nodes (the allocator's search hints) stay valid. Removed
/// nodes go to a small free list and are reused, so steady-state insert/remove allocates nothing.
/// Not thread-safe: the owner holds its lock (Linux <c>iova_rbtree_lock</c>).
/// </summary>
internal sealed partial class IovaTree
{
    /// <summary>Removed nodes kept for reuse at most; beyond that they are left to the collector.</summary>
    public const int MaxSpareNodes = 1024;

    private readonly Stack<IovaNode> spare = new();
    private IovaNode? root;

    /// <summary>Ranges in the tree.</summary>
    public int Count { get; private set; }

    /// <summary>The lowest range, or null when empty.</summary>
    public IovaNode? First => root is null ? null : Minimum(root);

    /// <summary>The highest range, or null when empty.</summary>
    public IovaNode? Last => root is null ? null : Maximum(root);

    /// <summary>The next higher range, or null.</summary>
    public static IovaNode? Next(IovaNode node)
    {
        if (node.Right is not null)
        {
            return Minimum(node.Right);
        }

        var p = node.Parent;
        while (p is not null && node == p.Right)
        {
            node = p;
            p = p.Parent;
        }

        return p;
    }

    /// <summary>The next lower range, or null.</summary>
    public static IovaNode? Prev(IovaNode node)
    {
        if (node.Left is not null)
        {
            return Maximum(node.Left);
        }

        var p = node.Parent;
        while (p is not null && node == p.Left)
        {
            node = p;
            p = p.Parent;
        }

        return p;
    }

    /// <summary>A node for [<paramref name="lo"/>, <paramref name="hi"/>], reused from the free list when possible (not inserted).</summary>
    public IovaNode NewNode(ulong lo, ulong hi)
    {
        var n = spare.Count > 0 ? spare.Pop() : new IovaNode();
        n.PfnLo = lo;
        n.PfnHi = hi;
        return n;
    }

    /// <summary>Hands a node that is not in the tree back for reuse.</summary>
    public void Recycle(IovaNode node)
    {
        if (spare.Count < MaxSpareNodes)
        {
            node.Left = node.Right = node.Parent = null;
            spare.Push(node);
        }
    }

    /// <summary>The range containing <paramref name="pfn"/>, or null (<c>private_find_iova</c>).</summary>
    public IovaNode? Find(ulong pfn)
    {
        var n = root;
        while (n is not null)
        {
            if (pfn < n.PfnLo)
            {
                n = n.Left;
            }
            else if (pfn > n.PfnHi)
            {
                n = n.Right;
            }
            else
            {
                return n;
            }
        }

        return null;
    }

    /// <summary>
    /// The lowest range that ends at or above <paramref name="pfn"/>: the range containing it, else
    /// the first one above it; null if none (<c>iova_find_limit</c>).
    /// </summary>
    public IovaNode? LowestEndingAtOrAbove(ulong pfn)
    {
        IovaNode? best = null;
        var n = root;
        while (n is not null)
        {
            if (n.PfnHi >= pfn)
            {
                best = n;
                n = n.Left;
            }
            else
            {
                n = n.Right;
            }
        }

        return best;
    }

    /// <summary>Inserts <paramref name="node"/>; false (tree unchanged) when a range with the same first frame exists.</summary>
    public bool Insert(IovaNode node)
    {
        IovaNode? parent = null;
        var x = root;
        while (x is not null)
        {
            parent = x;
            if (node.PfnLo < x.PfnLo)
            {
                x = x.Left;
            }
            else if (node.PfnLo > x.PfnLo)
            {
                x = x.Right;
            }
            else
            {
                return false;
            }
        }

        node.Parent = parent;
        node.Left = node.Right = null;
        node.Red = true;
        if (parent is null)
        {
            root = node;
        }
        else if (node.PfnLo < parent.PfnLo)
        {
            parent.Left = node;
        }
        else
        {
            parent.Right = node;
        }

        InsertFixup(node);
        Count++;
        return true;
    }

    /// <summary>Removes <paramref name="z"/>, which must be in this tree.</summary>
    public void Remove(IovaNode z)
    {
        var y = z;
        var removedRed = y.Red;
        IovaNode? x;
        IovaNode? xParent;
        if (z.Left is null)
        {
            x = z.Right;
            xParent = z.Parent;
            Transplant(z, z.Right);
        }
        else if (z.Right is null)
        {
            x = z.Left;
            xParent = z.Parent;
            Transplant(z, z.Left);
        }
        else
        {
            y = Minimum(z.Right);
            removedRed = y.Red;
            x = y.Right;
            if (y.Parent == z)
            {
                xParent = y;
            }
            else
            {
                xParent = y.Parent;
                Transplant(y, y.Right);
                y.Right = z.Right;
                y.Right.Parent = y;
            }

            Transplant(z, y);
            y.Left = z.Left;
            y.Left.Parent = y;
            y.Red = z.Red;
        }

        if (!removedRed)
        {
            DeleteFixup(x, xParent);
        }

        z.Left = z.Right = z.Parent = null;
        Count--;
    }

    /// <summary>Every range in ascending order.</summary>
    public IEnumerable<IovaNode> InOrder()
    {
        for (var n = First; n is not null; n = Next(n))
        {
            yield return n;
        }
    }

    /// <summary>
    /// Checks the structure: ascending, non-overlapping ranges with lo ≤ hi, consistent parent
    /// links, a black root, no red node with a red child, and equal black heights. Throws when broken.
    /// </summary>
    public void Validate()
    {
        if (root is { Red: true })
        {
            throw new InvalidOperationException("the root is red");
        }

        var count = 0;
        IovaNode? previous = null;
        foreach (var n in InOrder())
        {
            count++;
            if (n.PfnLo > n.PfnHi)
            {
                throw new InvalidOperationException($"range {n} is reversed");
            }

            if (previous is not null && previous.PfnHi >= n.PfnLo)
            {
                throw new InvalidOperationException($"ranges {previous} and {n} overlap or are out of order");
            }

            previous = n;
        }

        if (count != Count)
        {
            throw new InvalidOperationException($"{count} nodes reachable, Count says {Count}");
        }

        BlackHeight(root, null);
    }

    private static int BlackHeight(IovaNode? n, IovaNode? parent)
    {
        if (n is null)
        {
            return 1;
        }

        if (n.Parent != parent)
        {
            throw new InvalidOperationException($"node {n} has a wrong parent link");
        }

        if (n.Red && (n.Left is { Red: true } || n.Right is { Red: true }))
        {
            throw new InvalidOperationException($"red node {n} has a red child");
        }

        var l = BlackHeight(n.Left, n);
        var r = BlackHeight(n.Right, n);
        if (l != r)
        {
            throw new InvalidOperationException($"black heights differ below {n}");
        }

        return l + (n.Red ? 0 : 1);
    }

    private static IovaNode Minimum(IovaNode n)
    {
        while (n.Left is not null)
        {
            n = n.Left;
        }

        return n;
    }

    private static IovaNode Maximum(IovaNode n)
    {
        while (n.Right is not null)
        {
            n = n.Right;
        }

        return n;
    }
}
