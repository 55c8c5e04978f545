using SmmuLab.Driver.Dma;

namespace SmmuLab.Driver.Tests.Dma;

/// <summary>The flush queue's rules (reference D.2, D.3) on a simulated clock.</summary>
public sealed class FlushQueueTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void An_entry_is_freed_only_after_a_flush_that_started_after_it_was_queued()
    {
        var clock = new ManualDmaClock();
        var owner = new RecordingQueueOwner();
        var fq = new FlushQueue(new FlushQueueOptions(FlushQueueKind.PerCpu, 4, 10 * Ms), 2, clock, owner);

        // CPU 1 fills its 4-slot ring (3 entries); the 4th enqueue flushes. During that flush
        // (started, not finished) CPU 0 queues frame 50: it is stamped with start count 1.
        fq.Enqueue(1, 1, 1);
        fq.Enqueue(1, 2, 1);
        fq.Enqueue(1, 3, 1);
        owner.DuringFlush = () => fq.Enqueue(0, 50, 1);
        fq.Enqueue(1, 4, 1);
        Assert.Equal((1L, 1L), (fq.FlushStartCount, fq.FlushFinishCount));
        Assert.Equal([1UL, 2UL, 3UL], owner.Freed.Select(f => f.Pfn));

        // The flush that was running when 50 was queued does not cover it.
        fq.Enqueue(0, 51, 1);
        Assert.DoesNotContain(owner.Freed, f => f.Pfn == 50);
        Assert.Equal(2, fq.DepthOn(0));

        // The timer's flush (start 2) does; it frees every ring.
        clock.Advance(10 * Ms);
        Assert.Equal([1UL, 2UL, 3UL, 50UL, 51UL, 4UL], owner.Freed.Select(f => f.Pfn));
        Assert.Equal(0, fq.Depth);
    }

    [Fact]
    public void A_ring_that_fills_during_an_older_flush_is_overwritten_as_in_linux()
    {
        var clock = new ManualDmaClock();
        var iovad = new IovaAllocator(0x1000, 0, 2);
        var owner = new RecordingQueueOwner(iovad);
        var fq = new FlushQueue(new FlushQueueOptions(FlushQueueKind.PerCpu, 4, 10 * Ms), 2, clock, owner);
        var frames = Enumerable.Range(0, 8).Select(_ => iovad.AllocFast(0, 1, 0xF_FFFF, false)).ToArray();

        // CPU 1's full ring starts flush B (start 1). While B runs, CPU 0 queues three entries
        // (counter 1) and a fourth: its own flush A (start 2) finishes first, so the finish count
        // is 1 and covers none of them. The ring stays full; the append wraps it to empty.
        fq.Enqueue(1, frames[0], 1);
        fq.Enqueue(1, frames[1], 1);
        fq.Enqueue(1, frames[2], 1);
        owner.DuringFlush = () =>
        {
            for (var i = 4; i < 8; i++)
            {
                fq.Enqueue(0, frames[i], 1);
            }
        };
        fq.Enqueue(1, frames[3], 1);
        Assert.Equal((1L, 4L, 0), (fq.Statistics.Overruns, fq.Statistics.EntriesLost, fq.DepthOn(0)));

        // Nothing ever frees them: the timer flushes, CPU 1's entry goes, CPU 0's four stay allocated.
        clock.Advance(10 * Ms);
        Assert.All(frames[4..], f => Assert.True(iovad.IsAllocated(f)));
        Assert.DoesNotContain(owner.Freed, f => f.Pfn >= frames[7] && f.Pfn <= frames[4]);
        Assert.Equal(0L, fq.Statistics.Depth);
    }

    [Fact]
    public void Flushing_until_there_is_room_keeps_every_entry()
    {
        var owner = new RecordingQueueOwner();
        var fq = new FlushQueue(new FlushQueueOptions(FlushQueueKind.PerCpu, 4, 10 * Ms) { FlushUntilRoom = true }, 2, new ManualDmaClock(), owner);
        fq.Enqueue(1, 1, 1);
        fq.Enqueue(1, 2, 1);
        fq.Enqueue(1, 3, 1);
        owner.DuringFlush = () =>
        {
            for (var i = 10UL; i < 14; i++)
            {
                fq.Enqueue(0, i, 1);
            }
        };
        fq.Enqueue(1, 4, 1);

        // CPU 0's second flush brings the finish count to 2 while B still runs: two flushes have
        // finished, so one of them started after the entries (counter 1); they are freed.
        Assert.Equal(0L, fq.Statistics.Overruns);
        Assert.Equal([1UL, 2UL, 3UL], owner.Freed.Where(f => f.Cpu == 1).Select(f => f.Pfn));
        Assert.Equal([10UL, 11UL, 12UL], owner.Freed.Where(f => f.Cpu == 0).Select(f => f.Pfn));
        Assert.Equal((1, 1), (fq.DepthOn(0), fq.DepthOn(1)));
        Assert.Equal(3, owner.Flushes);
    }

    [Fact]
    public void A_full_ring_flushes_and_frees_what_it_held()
    {
        var owner = new RecordingQueueOwner();
        var fq = new FlushQueue(FlushQueueOptions.PerCpu, 4, new ManualDmaClock(), owner);
        for (var i = 1UL; i <= 255; i++)
        {
            fq.Enqueue(2, i, 1);
        }

        // 256 slots hold at most 255 entries.
        Assert.Equal((0, 255), (owner.Flushes, fq.DepthOn(2)));
        fq.Enqueue(2, 256, 1);
        Assert.Equal(1, owner.Flushes);
        Assert.Equal(1, fq.Statistics.FullFlushes);
        Assert.Equal(255, owner.Freed.Count);
        Assert.All(owner.Freed, f => Assert.Equal(2, f.Cpu));
        Assert.Equal((1, 1L), (fq.DepthOn(2), fq.Statistics.Depth));
    }

    [Fact]
    public void The_timer_fires_10_ms_after_the_first_enqueue_and_is_rearmed_only_by_the_next()
    {
        var clock = new ManualDmaClock();
        var owner = new RecordingQueueOwner();
        var fq = new FlushQueue(FlushQueueOptions.PerCpu, 2, clock, owner);
        fq.Enqueue(0, 7, 1);
        Assert.True(fq.TimerArmed);
        clock.Advance(5 * Ms);
        fq.Enqueue(0, 8, 1); // does not move the expiry

        clock.Advance(TimeSpan.FromTicks(49_999)); // 9.9999 ms
        Assert.Equal(0, owner.Flushes);
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal((1, 1L), (owner.Flushes, fq.Statistics.TimeoutFlushes));
        Assert.Equal(2, owner.Freed.Count);
        Assert.False(fq.TimerArmed);

        // One-shot: nothing more without an enqueue.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, owner.Flushes);
        fq.Enqueue(1, 9, 1);
        clock.Advance(10 * Ms);
        Assert.Equal(2, owner.Flushes);
    }

    [Fact]
    public void IOVAs_stay_unavailable_in_an_idle_CPU_ring_until_the_timer()
    {
        var clock = new ManualDmaClock();
        var iovad = new IovaAllocator(0x1000, 0, 2);
        var owner = new RecordingQueueOwner(iovad);
        var fq = new FlushQueue(FlushQueueOptions.PerCpu, 2, clock, owner);
        var idle = iovad.AllocFast(1, 1, 0xF_FFFF, false);
        fq.Enqueue(1, idle, 1);

        // CPU 0 keeps unmapping: its full ring flushes, which covers CPU 1's entry, but only CPU 1
        // (or the timer) frees CPU 1's ring.
        for (var i = 0; i < 600; i++)
        {
            fq.Enqueue(0, iovad.AllocFast(0, 1, 0xF_FFFF, false), 1);
        }

        Assert.Equal(2, fq.Statistics.FullFlushes);
        Assert.True(iovad.IsAllocated(idle));
        Assert.Equal(0, iovad.CachedFrames(1, 0));
        Assert.Equal(1, fq.DepthOn(1));

        // The timer was armed by CPU 1: its frees land in CPU 1's cache, and CPU 1 gets the IOVA back.
        clock.Advance(10 * Ms);
        Assert.Equal(0, fq.Depth);
        Assert.Equal(idle, iovad.AllocFast(1, 1, 0xF_FFFF, false));
    }

    [Fact]
    public void A_single_queue_is_shared_by_every_CPU_and_times_out_after_a_second()
    {
        var clock = new ManualDmaClock();
        var owner = new RecordingQueueOwner();
        var fq = new FlushQueue(FlushQueueOptions.Single, 4, clock, owner);
        fq.Enqueue(0, 1, 1);
        fq.Enqueue(3, 2, 1);
        Assert.Equal((2, 2), (fq.DepthOn(0), fq.DepthOn(3)));
        clock.Advance(999 * Ms);
        Assert.Equal(0, owner.Flushes);
        clock.Advance(Ms);
        Assert.Equal(1, owner.Flushes);
        Assert.Equal(32768, FlushQueueOptions.Single.Size);
    }

    [Fact]
    public void Teardown_as_linux_drops_the_IOVAs_and_frees_the_pages_without_a_flush()
    {
        var clock = new ManualDmaClock();
        var owner = new RecordingQueueOwner();
        var fq = new FlushQueue(FlushQueueOptions.PerCpu, 2, clock, owner);
        fq.Enqueue(0, 1, 1, [(0x8000_0000, 0x1000)]);
        fq.Enqueue(1, 2, 4);
        fq.Dispose();
        Assert.Equal(0, owner.Flushes);
        Assert.Empty(owner.Freed);
        Assert.Equal([(0x8000_0000UL, 0x1000UL)], owner.FreedPages);
        Assert.Equal((2L, 0L), (fq.Statistics.EntriesDiscarded, fq.Statistics.Depth));

        // The timer is gone with it.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, owner.Flushes);
        Assert.Throws<ObjectDisposedException>(() => fq.Enqueue(0, 3, 1));
    }

    [Fact]
    public void Teardown_with_a_final_flush_frees_everything()
    {
        var owner = new RecordingQueueOwner();
        var fq = new FlushQueue(FlushQueueOptions.PerCpu, 2, new ManualDmaClock(), owner);
        fq.Enqueue(0, 1, 1, [(0x8000_0000, 0x1000)]);
        fq.Enqueue(1, 2, 4);
        fq.Teardown(flush: true);
        Assert.Equal((1, 1L), (owner.Flushes, fq.Statistics.TeardownFlushes));
        Assert.Equal([(0, 1UL, 1UL), (1, 2UL, 4UL)], owner.Freed);
        Assert.Equal([(0x8000_0000UL, 0x1000UL)], owner.FreedPages);
        Assert.Equal(2, fq.Statistics.EntriesFreed);
    }

    [Fact]
    public void Steady_state_queueing_allocates_no_memory()
    {
        var iovad = new IovaAllocator(0x1000, 0, 1);
        var owner = new FreeingOwner(iovad);
        var fq = new FlushQueue(FlushQueueOptions.PerCpu, 1, new ManualDmaClock(), owner);
        Cycle(3000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Cycle(10_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(50, fq.Statistics.FullFlushes); // one per 255 entries: 13000 / 255

        void Cycle(int n)
        {
            for (var i = 0; i < n; i++)
            {
                fq.Enqueue(0, iovad.AllocFast(0, 1, 0xF_FFFF, true), 1);
            }
        }
    }

    private sealed class FreeingOwner(IovaAllocator iovad) : IFlushQueueOwner
    {
        public void FlushIotlbAll()
        {
        }

        public void FreeIova(int cpu, ulong pfn, ulong pages) => iovad.FreeFast(cpu, pfn, pages);

        public void FreePages(IReadOnlyList<(ulong Address, ulong Bytes)> pages)
        {
        }
    }
}
