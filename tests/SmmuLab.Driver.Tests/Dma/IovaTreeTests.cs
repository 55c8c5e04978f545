using SmmuLab.Driver.Dma;

namespace SmmuLab.Driver.Tests.Dma;

public sealed class IovaTreeTests
{
    [Fact]
    public void Random_inserts_and_removes_keep_a_valid_red_black_tree_in_order()
    {
        var tree = new IovaTree();
        var live = new SortedDictionary<ulong, IovaNode>();
        var random = new Random(20240611);
        for (var step = 0; step < 4000; step++)
        {
            if (live.Count > 0 && random.Next(3) == 0)
            {
                var key = live.Keys.ElementAt(random.Next(live.Count));
                tree.Remove(live[key]);
                tree.Recycle(live[key]);
                live.Remove(key);
            }
            else
            {
                var lo = (ulong)random.Next(1, 100_000) * 4;
                if (!live.ContainsKey(lo))
                {
                    var node = tree.NewNode(lo, lo + 3);
                    Assert.True(tree.Insert(node));
                    live.Add(lo, node);
                }
            }

            if (step % 97 == 0)
            {
                tree.Validate();
            }
        }

        tree.Validate();
        Assert.Equal(live.Keys, tree.InOrder().Select(n => n.PfnLo));
    }

    [Fact]
    public void Neighbours_lookup_and_limit_search()
    {
        var tree = new IovaTree();
        foreach (var (lo, hi) in new (ulong, ulong)[] { (10, 19), (30, 30), (40, 47), (ulong.MaxValue, ulong.MaxValue) })
        {
            tree.Insert(tree.NewNode(lo, hi));
        }

        Assert.False(tree.Insert(tree.NewNode(30, 35)));
        Assert.Equal(10UL, tree.First!.PfnLo);
        Assert.Equal(ulong.MaxValue, tree.Last!.PfnLo);
        var n30 = tree.Find(30)!;
        Assert.Equal(40UL, IovaTree.Next(n30)!.PfnLo);
        Assert.Equal(10UL, IovaTree.Prev(n30)!.PfnLo);
        Assert.Null(IovaTree.Prev(tree.First!));
        Assert.Equal(10UL, tree.Find(15)!.PfnLo);
        Assert.Null(tree.Find(20));

        // The range containing the frame, else the first above it.
        Assert.Equal(40UL, tree.LowestEndingAtOrAbove(45)!.PfnLo);
        Assert.Equal(40UL, tree.LowestEndingAtOrAbove(31)!.PfnLo);
        Assert.Equal(30UL, tree.LowestEndingAtOrAbove(30)!.PfnLo);
        Assert.Equal(ulong.MaxValue, tree.LowestEndingAtOrAbove(48)!.PfnLo);
    }

    [Fact]
    public void Removed_nodes_are_reused()
    {
        var tree = new IovaTree();
        var a = tree.NewNode(5, 5);
        tree.Insert(a);
        tree.Remove(a);
        tree.Recycle(a);
        var b = tree.NewNode(9, 12);
        Assert.Same(a, b);
        Assert.Equal((9UL, 12UL, 4UL), (b.PfnLo, b.PfnHi, b.Pages));
    }
}
