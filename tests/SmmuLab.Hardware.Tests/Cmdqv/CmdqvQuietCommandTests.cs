using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Pcie;

namespace SmmuLab.Hardware.Tests.Cmdqv;

/// <summary>
/// VCMDQ commands executed without the device lock when taking it could change nothing (a TLBI
/// with the TLB empty, a CMD_SYNC with CS = NONE), and sent to the lock whenever a holder of it
/// overlaps them or the TLB holds anything.
/// </summary>
public sealed class CmdqvQuietCommandTests
{
    private static readonly TimeSpan Blocked = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void A_TLBI_and_a_polled_CMD_SYNC_with_the_TLB_empty_run_without_the_lock_at_the_locked_paths_cost()
    {
        using var quiet = KernelQueueBed();
        using var locked = KernelQueueBed();
        using var watch = locked.Smmu.AddObserver(new DelegateObserver { OnCommand = (_, _) => { } });

        var quietBefore = quiet.Smmu.Clock.Nanoseconds;
        var lockedBefore = locked.Smmu.Clock.Nanoseconds;
        quiet.Submit(0, 0, Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 5, 0x4000, leaf: true), Command.Sync(SyncCompletion.SIG_NONE));
        locked.Submit(0, 0, Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 5, 0x4000, leaf: true), Command.Sync(SyncCompletion.SIG_NONE));

        Assert.Equal(2, quiet.Smmu.Statistics.CommandsWithoutLock);
        Assert.Equal(0, locked.Smmu.Statistics.CommandsWithoutLock);
        Assert.Equal(2u, quiet.Cons(0, 0));
        Assert.Equal(locked.Smmu.Clock.Nanoseconds - lockedBefore, quiet.Smmu.Clock.Nanoseconds - quietBefore);
        Assert.True(quiet.Smmu.Clock.Nanoseconds > quietBefore);
        Assert.Equal(1, quiet.Cmdqv.QueueStatistics(0).Commands(Opcode.CMD_SYNC));
    }

    [Fact]
    public void An_observer_of_DMA_only_leaves_the_commands_quiet_and_an_observer_of_commands_sees_each_one()
    {
        using var bed = KernelQueueBed();
        var seen = new List<Opcode>();
        using (bed.Smmu.AddObserver(new DelegateObserver { OnDma = (_, _) => { }, ConcurrentDma = true }))
        {
            bed.Submit(0, 0, Command.TlbiNhAsid(0, 5), Command.Sync(SyncCompletion.SIG_NONE));
            Assert.Equal(2, bed.Smmu.Statistics.CommandsWithoutLock);
        }

        using (bed.Smmu.AddObserver(new DelegateObserver { OnCommand = (_, c) => seen.Add(c.Command.Opcode) }))
        {
            bed.Submit(0, 0, Command.TlbiNhAsid(0, 6), Command.Sync(SyncCompletion.SIG_NONE));
        }

        Assert.Equal([Opcode.CMD_TLBI_NH_ASID, Opcode.CMD_SYNC], seen);
        Assert.Equal(2, bed.Smmu.Statistics.CommandsWithoutLock);
        Assert.Equal(4u, bed.Cons(0, 0));
    }

    [Fact]
    public void A_TLBI_with_an_entry_in_the_TLB_removes_it_under_the_lock()
    {
        using var bed = KernelQueueBed();
        bed.InsertTlbEntry(0, 5, 0x4000);

        bed.Submit(0, 0, Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 5, 0x4000, leaf: true), Command.Sync(SyncCompletion.SIG_NONE));

        Assert.False(bed.TlbHolds(0, 5, 0x4000));
        Assert.Equal(1, bed.Smmu.Statistics.CommandsWithoutLock); // the CMD_SYNC only
    }

    [Fact]
    public void An_illegal_TLBI_with_the_TLB_empty_still_stops_the_queue_with_its_error()
    {
        using var bed = KernelQueueBed();

        bed.Submit(0, 0, Command.TlbiByAddress(Opcode.CMD_TLBI_EL3_VA, 0, 0, 0x4000, leaf: true), Command.Sync(SyncCompletion.SIG_NONE));

        Assert.Equal(0UL, VcmdqPointer.INDEX.Get(bed.Cons(0, 0)));
        Assert.Equal(VcmdqError.ILL_OPCODE, (VcmdqError)VcmdqPointer.ERR.Get(bed.Cons(0, 0)));
        Assert.Equal(0, bed.Smmu.Statistics.CommandsWithoutLock);
    }

    [Fact]
    public void A_TLBI_waits_for_a_holder_of_the_lock_and_removes_what_it_filled()
    {
        // The holder stands for a walk under the lock that read a page-table entry before software
        // cleared it and fills the TLB after the TLBI found it empty. Counting entries alone would
        // let the TLBI complete, and the stale entry would outlive the CMD_SYNC.
        using var bed = KernelQueueBed();

        WhileAnotherThreadHoldsTheLock(bed, () => bed.InsertTlbEntry(0, 5, 0x4000),
            Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 5, 0x4000, leaf: true), Command.Sync(SyncCompletion.SIG_NONE));

        Assert.False(bed.TlbHolds(0, 5, 0x4000));
        Assert.Equal(2u, bed.Cons(0, 0));
    }

    [Fact]
    public void A_CMD_SYNC_does_not_complete_while_an_access_under_the_lock_is_under_way()
    {
        using var bed = KernelQueueBed();

        WhileAnotherThreadHoldsTheLock(bed, () => { }, Command.Sync(SyncCompletion.SIG_NONE));

        Assert.Equal(1u, bed.Cons(0, 0));
        Assert.Equal(0, bed.Smmu.Statistics.CommandsWithoutLock);
    }

    [Fact]
    public void An_ATC_invalidation_that_timed_out_still_fails_the_next_polled_CMD_SYNC()
    {
        using var bed = KernelQueueBed();
        bed.Smmu.Connect(new Endpoint("hung", [0x10], bed.Memory, new EndpointOptions { AtsCapable = true, RespondsToInvalidation = false }));

        bed.Submit(0, 0, Command.AtcInv(0x10, 0, false, 0, 52), Command.Sync(SyncCompletion.SIG_NONE));

        Assert.Equal(1UL, VcmdqPointer.INDEX.Get(bed.Cons(0, 0))); // stopped on the CMD_SYNC
        Assert.Equal(VcmdqError.ATC_INV_SYNC, (VcmdqError)VcmdqPointer.ERR.Get(bed.Cons(0, 0)));
        Assert.Equal(0, bed.Smmu.Statistics.CommandsWithoutLock);
    }

    [Fact]
    public void A_hold_of_the_lock_that_translates_nothing_does_not_delay_a_quiet_command()
    {
        // A register access or the CMDQ's consumption holds the lock without translating: it can
        // add nothing to the TLB and makes no access, so the VCMDQ's commands need not wait for it.
        using var bed = KernelQueueBed();
        using (bed.Smmu.SyncRoot.Enter())
        {
            var issuer = Start(() => bed.Submit(0, 0, Command.TlbiNhAsid(0, 5), Command.Sync(SyncCompletion.SIG_NONE)));
            Assert.True(issuer.Join(TimeSpan.FromSeconds(30)));
        }

        Assert.Equal(2u, bed.Cons(0, 0));
        Assert.Equal(2, bed.Smmu.Statistics.CommandsWithoutLock);
    }

    /// <summary>
    /// Submits <paramref name="commands"/> on a third thread while another holds the device lock to translate,
    /// asserts that they are not consumed while it does, then lets the holder run
    /// <paramref name="beforeRelease"/> and release the lock, and waits for the submission.
    /// </summary>
    private static void WhileAnotherThreadHoldsTheLock(CmdqvTestBed bed, Action beforeRelease, params Command[] commands)
    {
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = Start(() =>
        {
            using (bed.Smmu.SyncRoot.EnterToTranslate())
            {
                held.Set();
                release.Wait(TestContext.Current.CancellationToken);
                beforeRelease();
            }
        });
        held.Wait(TestContext.Current.CancellationToken);

        var issuer = Start(() => bed.Submit(0, 0, commands));
        Assert.False(issuer.Join(Blocked));
        Assert.Equal(0u, bed.Cons(0, 0));
        release.Set();
        holder.Join();
        issuer.Join();
    }

    private static Thread Start(Action action)
    {
        var thread = new Thread(() => action()) { IsBackground = true };
        thread.Start();
        return thread;
    }

    /// <summary>VCMDQ 0 as the kernel's (VINTF0, hypervisor-owned, lidx 0).</summary>
    private static CmdqvTestBed KernelQueueBed()
    {
        var bed = new CmdqvTestBed();
        bed.EnableVintf(0, vmid: 0, hypOwn: true);
        bed.MapQueue(vcmdq: 0, vintf: 0, lidx: 0);
        return bed;
    }
}
