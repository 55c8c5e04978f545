using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.Platform;
using static SmmuLab.Driver.Tests.Invalidation.InvalidationArrayKunitTests;
using T = SmmuLab.Driver.Invalidation.Linux.InvalidationType;

namespace SmmuLab.Driver.Tests.Invalidation;

/// <summary>Merge, unref, purge and the ATC fence beyond the kernel's vectors.</summary>
public class InvalidationArrayTests
{
    [Fact]
    public void Type_order_is_the_emission_order()
    {
        Assert.Equal([0, 1, 2, 3, 4], new[] { T.S1Asid, T.S2Vmid, T.S2VmidS1Clear, T.Ats, T.AtsFull }.Select(t => (int)t));
        Assert.True(T.Ats.IsAts());
        Assert.True(T.AtsFull.IsAts());
        Assert.False(T.S2VmidS1Clear.IsAts());
    }

    [Fact]
    public void Compare_ignores_SSID_for_TLB_entries_and_uses_it_for_ATC()
    {
        // For TLB types the union holds the page shift, which takes no part in the order.
        Assert.Equal(0, InvalidationEntry.Compare(InvalidationEntry.For(null, T.S1Asid, 5, 12), InvalidationEntry.For(null, T.S1Asid, 5, 0)));
        Assert.Equal(-1, InvalidationEntry.Compare(InvalidationEntry.For(null, T.Ats, 5, 1), InvalidationEntry.For(null, T.Ats, 5, 2)));
        Assert.Equal(1, InvalidationEntry.Compare(InvalidationEntry.For(null, T.S2Vmid, 1), InvalidationEntry.For(null, T.S1Asid, 9)));
        Assert.Equal(-1, InvalidationEntry.Compare(InvalidationEntry.For(null, T.Ats, 9, 7), InvalidationEntry.For(null, T.AtsFull, 1)));
    }

    [Fact]
    public void Entries_get_the_driver_opcodes()
    {
        Assert.Equal((Opcode.CMD_TLBI_NH_VA, Opcode.CMD_TLBI_NH_ASID), Ops(T.S1Asid));
        Assert.Equal((Opcode.CMD_TLBI_S2_IPA, Opcode.CMD_TLBI_S12_VMALL), Ops(T.S2Vmid));
        Assert.Equal((Opcode.CMD_TLBI_NH_ALL, Opcode.CMD_TLBI_NH_ALL), Ops(T.S2VmidS1Clear));
        Assert.Equal((Opcode.CMD_ATC_INV, Opcode.CMD_ATC_INV), Ops(T.Ats));
        Assert.Equal((Opcode.CMD_ATC_INV, Opcode.CMD_ATC_INV), Ops(T.AtsFull));

        static (Opcode, Opcode) Ops(T t)
        {
            var e = InvalidationEntry.For(null, t, 1);
            return (e.SizeOpcode, e.NsizeOpcode);
        }
    }

    [Fact]
    public void Merge_leaves_its_input_alone_and_computes_has_ATS()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = alloc.Allocate(0).Merge(Fixture((T.S1Asid, 7, 0)), alloc);
        Assert.False(a.HasAts);
        var b = a.Merge(Fixture((T.S1Asid, 7, 0), (T.Ats, 0x20, 0)), alloc);
        Assert.True(b.HasAts);
        Verify(a, 1, 0, [7], [1], [0]);
        Verify(b, 2, 0, [7, 0x20], [2, 1], [0, 0]);
    }

    [Fact]
    public void Merge_refuses_unsorted_or_repeated_input()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = alloc.Allocate(0);
        Assert.Throws<ArgumentException>(() => a.Merge(Fixture((T.Ats, 5, 0), (T.S1Asid, 1, 0)), alloc));
        Assert.Throws<ArgumentException>(() => a.Merge(Fixture((T.Ats, 5, 0), (T.Ats, 5, 0)), alloc));
    }

    [Fact]
    public void Failed_merge_changes_nothing()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = alloc.Allocate(0).Merge(Fixture((T.S2Vmid, 3, 0), (T.Ats, 8, 0)), alloc);
        alloc.FailNext();
        var e = Assert.Throws<DmaAllocationException>(() => a.Merge(Fixture((T.S2Vmid, 3, 0), (T.Ats, 9, 0)), alloc));
        Assert.Contains("injected", e.Message);
        Verify(a, 2, 0, [3, 8], [1, 1], [0, 0]);
        Assert.Equal(1, alloc.Failures);

        alloc.FailAfter = 1;
        var b = a.Merge(Fixture((T.S2Vmid, 3, 0)), alloc);
        Assert.Throws<DmaAllocationException>(() => b.Merge(Fixture((T.S2Vmid, 3, 0)), alloc));
        alloc.FailAfter = -1;
        Verify(b, 2, 0, [3, 8], [2, 1], [0, 0]);
    }

    [Fact]
    public void Unref_reports_through_the_scratch_users()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = alloc.Allocate(0).Merge(Fixture((T.S1Asid, 4, 0), (T.Ats, 1, 0)), alloc)
            .Merge(Fixture((T.S1Asid, 4, 0), (T.Ats, 2, 0)), alloc);
        var toUnref = Fixture((T.S1Asid, 4, 0), (T.Ats, 2, 0));
        a.Unref(toUnref);
        Assert.Equal(1, toUnref.UsersAt(0)); // the ASID still has a user
        Assert.Equal(0, toUnref.UsersAt(1)); // ATS 2 just became trash
        Verify(a, 2, 0, [4, 1], [1, 1], [0, 0]);

        var last = Fixture((T.S1Asid, 4, 0), (T.Ats, 1, 0));
        a.Unref(last);
        Assert.Equal(0, last.UsersAt(0));
        Assert.Equal(0, a.Count);
        Assert.True(a.HasAts); // not recomputed by unref
        Assert.Equal(0, a.Warnings);
    }

    [Fact]
    public void Unref_of_absent_or_trash_entry_warns_and_changes_nothing_else()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = alloc.Allocate(0).Merge(Fixture((T.S1Asid, 4, 0), (T.Ats, 1, 0), (T.Ats, 2, 0)), alloc);
        a.Unref(Fixture((T.Ats, 1, 0)));
        Verify(a, 3, 1, [4, 1, 2], [1, 0, 1], [0, 0, 0]);
        a.Unref(Fixture((T.Ats, 1, 0), (T.Ats, 3, 0)));
        Assert.Equal(2, a.Warnings);
        Verify(a, 3, 1, [4, 1, 2], [1, 0, 1], [0, 0, 0]);
    }

    [Fact]
    public void Purge_has_nothing_to_do_without_trash()
    {
        var alloc = new InvalidationArrayAllocator();
        Assert.Null(alloc.Allocate(0).Purge(alloc));
        var a = alloc.Allocate(0).Merge(Fixture((T.S1Asid, 4, 0)), alloc);
        Assert.Null(a.Purge(alloc));
    }

    [Fact]
    public void Failed_purge_keeps_the_array_with_its_trash()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = alloc.Allocate(0).Merge(Fixture((T.S1Asid, 4, 0), (T.Ats, 1, 0), (T.Ats, 2, 0)), alloc);
        a.Unref(Fixture((T.Ats, 1, 0)));
        alloc.FailNext();
        Assert.Null(a.Purge(alloc));
        Verify(a, 3, 1, [4, 1, 2], [1, 0, 1], [0, 0, 0]);
        alloc.FailAfter = -1;
        var p = a.Purge(alloc)!;
        Verify(p, 2, 0, [4, 2], [1, 1], [0, 0]);
        Assert.True(p.HasAts);
    }

    [Fact]
    public void Merge_drops_trash_and_recomputes_has_ATS()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = alloc.Allocate(0).Merge(Fixture((T.S1Asid, 4, 0), (T.Ats, 1, 0), (T.Ats, 2, 0)), alloc);
        a.Unref(Fixture((T.Ats, 1, 0), (T.Ats, 2, 0)));
        Assert.True(a.HasAts);
        var b = a.Merge(Fixture((T.S1Asid, 5, 0)), alloc);
        Verify(b, 2, 0, [4, 5], [1, 1], [0, 0]);
        Assert.False(b.HasAts);
    }

    [Fact]
    public void Unref_waits_for_readers_inside_the_fence()
    {
        var alloc = new InvalidationArrayAllocator();
        var a = alloc.Allocate(0).Merge(Fixture((T.S1Asid, 4, 0), (T.Ats, 1, 0)), alloc);
        a.Fence.EnterRead();
        var unref = Start(() => a.Unref(Fixture((T.Ats, 1, 0))));
        Assert.False(unref.Join(200));
        Assert.Equal(2, a.Count); // the count is stored inside the write section
        Assert.True(a.Fence.WriterPresent);
        a.Fence.ExitRead();
        Assert.True(unref.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, a.Count);
        Assert.False(a.Fence.WriterPresent);
    }

    [Fact]
    public void Waiting_writer_holds_off_new_readers()
    {
        var fence = new FenceBox();
        fence.F.EnterRead();
        var writer = Start(() =>
        {
            fence.F.EnterWrite();
            fence.F.ExitWrite();
        });
        Assert.True(SpinWait.SpinUntil(() => fence.F.WriterPresent, TimeSpan.FromSeconds(10)));
        var reader = Start(() =>
        {
            fence.F.EnterRead();
            fence.F.ExitRead();
        });
        Assert.False(reader.Join(200));
        fence.F.ExitRead();
        Assert.True(writer.Join(TimeSpan.FromSeconds(10)));
        Assert.True(reader.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, fence.F.Readers);
    }

    private static Thread Start(Action action)
    {
        var t = new Thread(() => action()) { IsBackground = true };
        t.Start();
        return t;
    }

    private sealed class FenceBox
    {
        public AtsFence F;
    }
}
