using SmmuLab.Driver.Dma;

namespace SmmuLab.Driver.Tests.Dma;

/// <summary>Magazines of 127 frames, the swap with the previous magazine, the depot and its trimming.</summary>
public sealed class IovaRangeCacheTests
{
    private const ulong Limit32 = 0xF_FFFF;

    [Fact]
    public void Frees_fill_loaded_then_prev_then_push_to_the_depot()
    {
        var a = new IovaAllocator(0x1000, 0, 1);
        var frames = Enumerable.Range(0, 255).Select(_ => a.AllocFast(0, 1, Limit32, false)).ToArray();

        // 127 fill the loaded magazine, the 128th swaps in the empty previous one, 254 fill both.
        foreach (var f in frames[..254])
        {
            a.FreeFast(0, f, 1);
        }

        Assert.Equal((254, 0), (a.CachedFrames(0, 0), a.DepotSize(0)));

        // The 255th finds both full: the loaded one goes to the depot and a fresh one takes the frame.
        a.FreeFast(0, frames[254], 1);
        Assert.Equal((128, 1), (a.CachedFrames(0, 0), a.DepotSize(0)));
        Assert.Equal(1, a.Statistics.DepotPushes);
        Assert.Equal(256, a.TreeCount); // 255 cached frames + the anchor: cached frames stay allocated
    }

    [Fact]
    public void An_empty_CPU_takes_a_full_magazine_from_the_depot()
    {
        var a = new IovaAllocator(0x1000, 0, 2);
        var frames = Enumerable.Range(0, 255).Select(_ => a.AllocFast(0, 1, Limit32, false)).ToArray();
        foreach (var f in frames)
        {
            a.FreeFast(0, f, 1);
        }

        // The depot magazine is the second one filled, frames[127..253]; CPU 1 pops its top.
        Assert.Equal(frames[253], a.AllocFast(1, 1, Limit32, false));
        Assert.Equal((0, 126), (a.DepotSize(0), a.CachedFrames(1, 0)));
    }

    [Fact]
    public void The_depot_is_trimmed_to_the_CPU_count_one_magazine_per_run()
    {
        var a = new IovaAllocator(0x1000, 0, 1);
        Fill(a, 382);

        // 382 frees: 127 + 127 in the CPU's magazines, two pushes to the depot (at 255 and 382).
        Assert.Equal(2, a.DepotSize(0));
        var tree = a.TreeCount;
        Assert.Equal(1, a.TrimDepots());
        Assert.Equal(1, a.DepotSize(0));
        Assert.Equal(tree - 127, a.TreeCount);

        // One magazine per CPU may stay.
        Assert.Equal(0, a.TrimDepots());
        Assert.Equal(1, a.DepotSize(0));
    }

    [Fact]
    public void The_trim_runs_100_ms_after_the_first_push_and_again_while_it_trims()
    {
        var clock = new ManualDmaClock();
        var a = new IovaAllocator(0x1000, 0, 1, clock);
        Fill(a, 382);
        Assert.Equal(2, a.DepotSize(0));

        clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(2, a.DepotSize(0));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, a.DepotSize(0));
        Assert.Equal(1, a.Statistics.DepotTrims);

        // It rescheduled itself, found nothing above the CPU count, and stopped.
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(2, clock.Fired);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, clock.Fired);
        Assert.Equal(1, a.DepotSize(0));
    }

    [Fact]
    public void A_flush_returns_the_CPU_magazines_and_the_depot_to_the_tree()
    {
        var a = new IovaAllocator(0x1000, 0, 2);
        Fill(a, 300);
        a.FreeCpuCachedIovas(0);
        Assert.Equal(0, a.CachedFrames(0, 0));
        Assert.Equal(128, a.TreeCount); // the depot magazine's 127 frames and the anchor
        a.FreeGlobalCachedIovas();
        Assert.Equal(1, a.TreeCount);
        Assert.Equal(300, a.Statistics.CachedFramesReturned);
        a.Validate();
    }

    private static void Fill(IovaAllocator a, int n)
    {
        var frames = Enumerable.Range(0, n).Select(_ => a.AllocFast(0, 1, Limit32, false)).ToArray();
        foreach (var f in frames)
        {
            a.FreeFast(0, f, 1);
        }
    }
}
