using SmmuLab.Driver.Invalidation.Linux;
using T = SmmuLab.Driver.Invalidation.Linux.InvalidationType;

namespace SmmuLab.Driver.Tests.Invalidation;

/// <summary>
/// Linux's KUnit case <c>arm_smmu_v3_invs_test</c>, step by step with its fixtures and expected
/// values (reference §2.1): every entry on the same (absent) SMMU, so the order is type, id, ssid.
/// </summary>
public class InvalidationArrayKunitTests
{
    private readonly InvalidationArray Invs1 = Fixture((T.S2Vmid, 1, 0), (T.S2VmidS1Clear, 1, 0), (T.Ats, 3, 0));
    private readonly InvalidationArray Invs2 = Fixture((T.S2Vmid, 1, 0), (T.Ats, 4, 0), (T.Ats, 5, 0));
    private readonly InvalidationArray Invs3 = Fixture((T.S2Vmid, 1, 0), (T.Ats, 5, 0), (T.Ats, 6, 0));
    private readonly InvalidationArray Invs4 = Fixture((T.Ats, 10, 1), (T.Ats, 10, 3), (T.Ats, 12, 1));
    private readonly InvalidationArray Invs5 = Fixture((T.Ats, 10, 2), (T.Ats, 10, 3), (T.Ats, 12, 2));

    [Fact]
    public void Eleven_steps_match_the_kernel_vectors()
    {
        var alloc = new InvalidationArrayAllocator();

        // 0: alloc(0)
        var a = alloc.Allocate(0);
        Assert.Equal(0, a.Count);

        // 1: B = merge(A, invs1)
        var b = a.Merge(Invs1, alloc);
        Verify(b, 3, 0, [1, 1, 3], [1, 1, 1], [0, 0, 0]);

        // 2: A = merge(B, invs2): the VMID gains a user, ATS 4 and 5 follow ATS 3
        a = b.Merge(Invs2, alloc);
        Verify(a, 5, 0, [1, 1, 3, 4, 5], [2, 1, 1, 1, 1], [0, 0, 0, 0, 0]);

        // 3: unref(A, invs2): same array; ATS 4/5 become trailing trash and are cut off
        var before = a;
        a.Unref(Invs2);
        Assert.Same(before, a);
        Verify(a, 3, 0, [1, 1, 3], [1, 1, 1], [0, 0, 0]);

        // 4: B = merge(A, invs3): the stale slots beyond Count are ignored, ATS 5 comes back fresh
        b = a.Merge(Invs3, alloc);
        Verify(b, 5, 0, [1, 1, 3, 5, 6], [2, 1, 1, 1, 1], [0, 0, 0, 0, 0]);

        // 5: unref(B, invs1): the S1 clear and ATS 3 become trash in the middle
        b.Unref(Invs1);
        Verify(b, 5, 2, [1, 1, 3, 5, 6], [1, 0, 0, 1, 1], [0, 0, 0, 0, 0]);

        // 6: A = purge(B)
        a = b.Purge(alloc)!;
        Assert.NotNull(a);
        Verify(a, 3, 0, [1, 5, 6], [1, 1, 1], [0, 0, 0]);

        // 7: unref(A, invs3): everything is trailing trash
        a.Unref(Invs3);
        Verify(a, 0, 0, [], [], []);

        // 8: B = merge(A, invs4)
        b = a.Merge(Invs4, alloc);
        Verify(b, 3, 0, [10, 10, 12], [1, 1, 1], [1, 3, 1]);

        // 9: A = merge(B, invs5): the SubstreamID breaks ties between entries of one StreamID
        a = b.Merge(Invs5, alloc);
        Verify(a, 5, 0, [10, 10, 10, 12, 12], [1, 1, 2, 1, 1], [1, 2, 3, 1, 2]);

        // 10: unref(A, invs5): (10,2) becomes middle trash, (12,2) trailing trash
        a.Unref(Invs5);
        Verify(a, 4, 1, [10, 10, 10, 12], [1, 0, 1, 1], [1, 2, 3, 1]);

        // 11: B = purge(A)
        b = a.Purge(alloc)!;
        Assert.NotNull(b);
        Verify(b, 3, 0, [10, 10, 12], [1, 1, 1], [1, 3, 1]);

        Assert.All(new[] { a, b }, x => Assert.Equal(0, x.Warnings));
    }

    internal static InvalidationArray Fixture(params (T Type, uint Id, uint Ssid)[] items)
    {
        var entries = new InvalidationEntry[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            entries[i] = InvalidationEntry.For(null, items[i].Type, items[i].Id, items[i].Ssid);
        }

        return InvalidationArray.Of(entries);
    }

    /// <summary>The kernel test's check: count, trash count, and id, users and ssid of every counted entry.</summary>
    internal static void Verify(InvalidationArray invs, int count, int trashes, uint[] ids, int[] users, uint[] ssids)
    {
        Assert.Equal(count, invs.Count);
        Assert.Equal(trashes, invs.TrashCount);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(ids[i], invs[i].Id);
            Assert.Equal(users[i], invs.UsersAt(i));
            Assert.Equal(ssids[i], invs[i].Ssid);
        }
    }
}
