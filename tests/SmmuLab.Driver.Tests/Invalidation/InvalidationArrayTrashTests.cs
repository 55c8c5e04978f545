using SmmuLab.Driver.Invalidation.Linux;
using static SmmuLab.Driver.Tests.Invalidation.InvalidationArrayKunitTests;
using T = SmmuLab.Driver.Invalidation.Linux.InvalidationType;

namespace SmmuLab.Driver.Tests.Invalidation;

/// <summary>
/// Trash at index 0: the walks of merge, unref and purge start at the first live entry, not at 0.
/// The kernel's vectors only leave trash in the middle or at the end.
/// </summary>
public class InvalidationArrayTrashTests
{
    /// <summary>[ASID 4 (trash), ASID 5, ATC 1]: the first entry's last user is gone.</summary>
    private static InvalidationArray TrashFirst(InvalidationArrayAllocator alloc)
    {
        var a = alloc.Allocate(0).Merge(Fixture((T.S1Asid, 4, 0), (T.S1Asid, 5, 0), (T.Ats, 1, 0)), alloc);
        a.Unref(Fixture((T.S1Asid, 4, 0)));
        Verify(a, 3, 1, [4, 5, 1], [0, 1, 1], [0, 0, 0]);
        return a;
    }

    [Fact]
    public void Merge_drops_trash_at_index_0()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = TrashFirst(alloc);

        var b = a.Merge(Fixture((T.S1Asid, 6, 0)), alloc);

        Verify(b, 3, 0, [5, 6, 1], [1, 1, 1], [0, 0, 0]);
        Assert.All(b.Snapshot(), e => Assert.True(e.Users > 0));
    }

    [Fact]
    public void Merge_of_the_trashed_entry_at_index_0_starts_it_again_with_one_user()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = TrashFirst(alloc);

        var b = a.Merge(Fixture((T.S1Asid, 4, 0)), alloc);

        Verify(b, 3, 0, [4, 5, 1], [1, 1, 1], [0, 0, 0]);
    }

    [Fact]
    public void Unref_behind_trash_at_index_0_cuts_the_array_to_nothing()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = TrashFirst(alloc);

        var toUnref = Fixture((T.S1Asid, 5, 0), (T.Ats, 1, 0));
        a.Unref(toUnref);

        // Every entry is trash now, the first included: the count falls to 0, no trash is left counted.
        Assert.Equal((0, 0, 0), (a.Count, a.TrashCount, a.Warnings));
        Assert.Equal((0, 0), (toUnref.UsersAt(0), toUnref.UsersAt(1)));
    }

    [Fact]
    public void Unref_of_the_trash_at_index_0_warns_and_keeps_the_rest()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = TrashFirst(alloc);

        a.Unref(Fixture((T.S1Asid, 4, 0), (T.Ats, 1, 0)));

        Assert.Equal(1, a.Warnings);
        Verify(a, 2, 1, [4, 5], [0, 1], [0, 0]);
    }

    [Fact]
    public void Purge_drops_trash_at_index_0()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = TrashFirst(alloc);

        var p = a.Purge(alloc)!;

        Verify(p, 2, 0, [5, 1], [1, 1], [0, 0]);
        Assert.True(p.HasAts);
    }
}
