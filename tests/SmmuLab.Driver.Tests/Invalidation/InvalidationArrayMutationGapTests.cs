using SmmuLab.Driver.Invalidation.Linux;
using static SmmuLab.Driver.Tests.Invalidation.InvalidationArrayKunitTests;
using T = SmmuLab.Driver.Invalidation.Linux.InvalidationType;

namespace SmmuLab.Driver.Tests.Invalidation;

/// <summary>
/// What Stryker.NET's run over the merge, unref and purge code found untested (mutants that
/// survived): each test here fails with its mutant planted.
/// </summary>
public sealed class InvalidationArrayMutationGapTests
{
    [Fact]
    public void Unref_reports_an_entry_that_became_trash_with_zero_users_whatever_the_scratch_held()
    {
        var alloc = new InvalidationArrayAllocator();
        var scratch = Fixture((T.S1Asid, 4, 0), (T.Ats, 1, 0));
        var a = alloc.Allocate(0).Merge(scratch, alloc);

        // A scratch array is reused from attach to attach: its users field is an output, and it
        // still holds the 1 of an earlier unref that left users behind.
        var reused = InvalidationArray.Of(
            InvalidationEntry.For(null, T.S1Asid, 4, 0, users: 1),
            InvalidationEntry.For(null, T.Ats, 1, 0, users: 1));
        a.Unref(reused);

        Assert.Equal(0, reused.UsersAt(0));
        Assert.Equal(0, reused.UsersAt(1));
        Assert.Equal(0, a.Count);
    }

    [Fact]
    public void Purge_keeps_has_ATS_with_several_ATS_entries_left()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = alloc.Allocate(0).Merge(Fixture((T.S1Asid, 4, 0), (T.Ats, 1, 0), (T.Ats, 2, 0), (T.Ats, 3, 0)), alloc);
        a.Unref(Fixture((T.Ats, 1, 0)));

        var p = a.Purge(alloc)!;

        Verify(p, 3, 0, [4, 2, 3], [1, 1, 1], [0, 0, 0]);
        Assert.True(p.HasAts);
    }

    [Fact]
    public void Null_arguments_are_refused_by_name()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = alloc.Allocate(0).Merge(Fixture((T.S1Asid, 4, 0)), alloc);

        Assert.Equal("toMerge", Assert.Throws<ArgumentNullException>(() => a.Merge(null!, alloc)).ParamName);
        Assert.Equal("allocator", Assert.Throws<ArgumentNullException>(() => a.Merge(Fixture((T.Ats, 1, 0)), null!)).ParamName);
        Assert.Equal("toUnref", Assert.Throws<ArgumentNullException>(() => a.Unref(null!)).ParamName);
        Assert.Equal("allocator", Assert.Throws<ArgumentNullException>(() => a.Purge(null!)).ParamName);
    }

    [Fact]
    public void A_merge_of_an_unsorted_array_says_which_entries_are_out_of_order()
    {
        var alloc = new InvalidationArrayAllocator();
        var unsorted = InvalidationArray.Of(InvalidationEntry.For(null, T.Ats, 2, 0), InvalidationEntry.For(null, T.Ats, 1, 0));

        var e = Assert.Throws<ArgumentException>(() => alloc.Allocate(0).Merge(unsorted, alloc));

        Assert.Contains("not sorted or repeats an entry", e.Message, StringComparison.Ordinal);
        Assert.Equal("toMerge", e.ParamName);
    }

    [Fact]
    public void The_fence_counts_every_reader_inside_it()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = alloc.Allocate(0).Merge(Fixture((T.Ats, 1, 0)), alloc);
        a.Fence.EnterRead();
        a.Fence.EnterRead();
        a.Fence.EnterRead();

        Assert.Equal(3, a.Fence.Readers);
        Assert.False(a.Fence.WriterPresent);
        a.Fence.ExitRead();
        a.Fence.ExitRead();
        a.Fence.ExitRead();
        Assert.Equal(0, a.Fence.Readers);
    }

    [Fact]
    public void A_full_scratch_array_refuses_one_more_entry_with_its_size()
    {
        var scratch = new InvalidationArray(2);
        scratch.ResetScratch();
        scratch.Append(InvalidationEntry.For(null, T.S1Asid, 4));
        scratch.Append(InvalidationEntry.For(null, T.Ats, 1));

        var e = Assert.Throws<InvalidOperationException>(() => scratch.Append(InvalidationEntry.For(null, T.Ats, 2)));

        Assert.Contains("full (2 entries)", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, scratch.Count);
        Assert.True(scratch.HasAts);
    }
}
