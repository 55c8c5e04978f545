using SmmuLab.Driver.Dma;

namespace SmmuLab.Driver.Tests.Dma;

public sealed class ManualDmaClockTests
{
    [Fact]
    public void Timers_fire_in_expiry_order_at_their_expiry_and_may_rearm()
    {
        var clock = new ManualDmaClock();
        var log = new List<string>();
        IDmaTimer? b = null;
        var a = clock.CreateTimer(() => log.Add($"a@{clock.Now.TotalMilliseconds}"));
        b = clock.CreateTimer(() =>
        {
            log.Add($"b@{clock.Now.TotalMilliseconds}");
            if (clock.Now < TimeSpan.FromMilliseconds(30))
            {
                b!.ArmAt(clock.Now + TimeSpan.FromMilliseconds(15));
            }
        });
        a.ArmAt(TimeSpan.FromMilliseconds(20));
        b.ArmAt(TimeSpan.FromMilliseconds(10));

        clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(["b@10", "a@20", "b@25", "b@40"], log);
        Assert.Equal(TimeSpan.FromMilliseconds(50), clock.Now);
        Assert.False(a.IsPending);
    }

    [Fact]
    public void Rearming_moves_the_expiry_and_cancel_disarms()
    {
        var clock = new ManualDmaClock();
        var fired = 0;
        var t = clock.CreateTimer(() => fired++);
        t.ArmAt(TimeSpan.FromMilliseconds(5));
        t.ArmAt(TimeSpan.FromMilliseconds(8));
        clock.Advance(TimeSpan.FromMilliseconds(6));
        Assert.Equal(0, fired);
        Assert.True(t.Cancel());
        Assert.False(t.Cancel());
        clock.Advance(TimeSpan.FromMilliseconds(6));
        Assert.Equal(0, fired);
    }

    [Fact]
    public void The_system_clock_fires_a_timer()
    {
        var clock = new SystemDmaClock();
        using var done = new ManualResetEventSlim();
        using var t = clock.CreateTimer(done.Set);
        t.ArmAt(clock.Now + TimeSpan.FromMilliseconds(1));
        Assert.True(done.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.False(t.IsPending);
    }
}
