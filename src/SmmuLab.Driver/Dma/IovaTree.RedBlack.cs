namespace SmmuLab.Driver.Dma;

/// <summary>The red-black rebalancing of <see cref="IovaTree"/> (insert and delete fix-ups, rotations).</summary>
internal sealed partial class IovaTree
{
    private static bool IsRed(IovaNode? n) => n is { Red: true };

    private void InsertFixup(IovaNode z)
    {
        while (z.Parent is { Red: true } p)
        {
            var g = p.Parent!;
            if (p == g.Left)
            {
                var uncle = g.Right;
                if (IsRed(uncle))
                {
                    p.Red = false;
                    uncle!.Red = false;
                    g.Red = true;
                    z = g;
                    continue;
                }

                if (z == p.Right)
                {
                    z = p;
                    RotateLeft(z);
                    p = z.Parent!;
                }

                p.Red = false;
                g.Red = true;
                RotateRight(g);
            }
            else
            {
                var uncle = g.Left;
                if (IsRed(uncle))
                {
                    p.Red = false;
                    uncle!.Red = false;
                    g.Red = true;
                    z = g;
                    continue;
                }

                if (z == p.Left)
                {
                    z = p;
                    RotateRight(z);
                    p = z.Parent!;
                }

                p.Red = false;
                g.Red = true;
                RotateLeft(g);
            }
        }

        root!.Red = false;
    }

    private void DeleteFixup(IovaNode? x, IovaNode? parent)
    {
        while (x != root && !IsRed(x))
        {
            if (x == parent!.Left)
            {
                var w = parent.Right!;
                if (w.Red)
                {
                    w.Red = false;
                    parent.Red = true;
                    RotateLeft(parent);
                    w = parent.Right!;
                }

                if (!IsRed(w.Left) && !IsRed(w.Right))
                {
                    w.Red = true;
                    x = parent;
                    parent = x.Parent;
                    continue;
                }

                if (!IsRed(w.Right))
                {
                    w.Left!.Red = false;
                    w.Red = true;
                    RotateRight(w);
                    w = parent.Right!;
                }

                w.Red = parent.Red;
                parent.Red = false;
                w.Right!.Red = false;
                RotateLeft(parent);
                x = root;
                parent = null;
            }
            else
            {
                var w = parent.Left!;
                if (w.Red)
                {
                    w.Red = false;
                    parent.Red = true;
                    RotateRight(parent);
                    w = parent.Left!;
                }

                if (!IsRed(w.Left) && !IsRed(w.Right))
                {
                    w.Red = true;
                    x = parent;
                    parent = x.Parent;
                    continue;
                }

                if (!IsRed(w.Left))
                {
                    w.Right!.Red = false;
                    w.Red = true;
                    RotateLeft(w);
                    w = parent.Left!;
                }

                w.Red = parent.Red;
                parent.Red = false;
                w.Left!.Red = false;
                RotateRight(parent);
                x = root;
                parent = null;
            }
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

    private void RotateLeft(IovaNode x)
    {
        var y = x.Right!;
        x.Right = y.Left;
        if (y.Left is not null)
        {
            y.Left.Parent = x;
        }

        y.Parent = x.Parent;
        if (x.Parent is null)
        {
            root = y;
        }
        else if (x == x.Parent.Left)
        {
            x.Parent.Left = y;
        }
        else
        {
            x.Parent.Right = y;
        }

        y.Left = x;
        x.Parent = y;
    }

    private void RotateRight(IovaNode x)
    {
        var y = x.Left!;
        x.Left = y.Right;
        if (y.Right is not null)
        {
            y.Right.Parent = x;
        }

        y.Parent = x.Parent;
        if (x.Parent is null)
        {
            root = y;
        }
        else if (x == x.Parent.Right)
        {
            x.Parent.Right = y;
        }
        else
        {
            x.Parent.Left = y;
        }

        y.Right = x;
        x.Parent = y;
    }
}
