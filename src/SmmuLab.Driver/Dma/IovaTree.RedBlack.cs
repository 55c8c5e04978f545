namespace SmmuLab.Driver.Dma;

/// <summary>The red-black rebalancing of <see cref="IovaTree"/> (insert and delete fix-ups, rotations).</summary>
internal sealed partial class IovaTree
{
    private static bool IsRed(IovaNode? n) => n is { Red: true };

    /// <summary>The right child when <paramref name="right"/>, else the left one: the fix-ups below are written once for both mirror cases.</summary>
    private static IovaNode? Child(IovaNode n, bool right) => right ? n.Right : n.Left;

    private void Rotate(IovaNode n, bool left)
    {
        if (left)
        {
            RotateLeft(n);
        }
        else
        {
            RotateRight(n);
        }
    }

    /// <summary>Insert fix-up (CLRS 13.3); <c>side</c> is true when the parent is a left child, and every left/right below mirrors with it.</summary>
    private void InsertFixup(IovaNode z)
    {
        while (z.Parent is { Red: true } p)
        {
            var g = p.Parent!;
            var side = p == g.Left;
            var uncle = Child(g, right: side);
            if (IsRed(uncle))
            {
                p.Red = false;
                uncle!.Red = false;
                g.Red = true;
                z = g;
                continue;
            }

            if (z == Child(p, right: side))
            {
                z = p;
                Rotate(z, left: side);
                p = z.Parent!;
            }

            p.Red = false;
            g.Red = true;
            Rotate(g, left: !side);
        }

        root!.Red = false;
    }

    /// <summary>Delete fix-up (CLRS 13.4); <c>side</c> is true when x is a left child, and every left/right below mirrors with it.</summary>
    private void DeleteFixup(IovaNode? x, IovaNode? parent)
    {
        while (x != root && !IsRed(x))
        {
            var side = x == parent!.Left;
            var w = Child(parent, right: side)!;
            if (w.Red)
            {
                w.Red = false;
                parent.Red = true;
                Rotate(parent, left: side);
                w = Child(parent, right: side)!;
            }

            if (!IsRed(w.Left) && !IsRed(w.Right))
            {
                w.Red = true;
                x = parent;
                parent = x.Parent;
                continue;
            }

            if (!IsRed(Child(w, right: side)))
            {
                Child(w, right: !side)!.Red = false;
                w.Red = true;
                Rotate(w, left: !side);
                w = Child(parent, right: side)!;
            }

            w.Red = parent.Red;
            parent.Red = false;
            Child(w, right: side)!.Red = false;
            Rotate(parent, left: side);
            x = root;
            parent = null;
        }

        if (x is not null)
        {
            x.Red = false;
        }
    }

    private void Transplant(IovaNode u, IovaNode? v)
    {
        if (u.Parent is null)
        {
            root = v;
        }
        else if (u == u.Parent.Left)
        {
            u.Parent.Left = v;
        }
        else
        {
            u.Parent.Right = v;
        }

        if (v is not null)
        {
            v.Parent = u.Parent;
        }
    }

    /// <summary>x's right child y takes x's place; x becomes y's left child and takes y's left subtree.</summary>
    private void RotateLeft(IovaNode x)
    {
        var y = x.Right!;
        x.Right = y.Left;
        if (y.Left is not null)
        {
            y.Left.Parent = x;
        }

        Transplant(x, y);
        y.Left = x;
        x.Parent = y;
    }

    /// <summary>The mirror of <see cref="RotateLeft"/>.</summary>
    private void RotateRight(IovaNode x)
    {
        var y = x.Left!;
        x.Left = y.Right;
        if (y.Right is not null)
        {
            y.Right.Parent = x;
        }

        Transplant(x, y);
        y.Right = x;
        x.Parent = y;
    }
}
