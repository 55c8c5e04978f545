using SmmuLab.Driver.Dma;
using SmmuLab.Replay.Engine;

namespace SmmuLab.Replay.Tests.Engine;

/// <summary>The replay's clock fires the DMA layer's timers in trace time, as ManualDmaClock does.</summary>
public sealed class TraceClockTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void A_timer_fires_when_time_reaches_it_with_now_at_its_expiry()
    {
        var clock = new TraceClock();
        var seen = new List<TimeSpan>();
        var t = clock.CreateTimer(() => seen.Add(clock.Now));
        t.ArmAt(Ms(10));

        clock.AdvanceTo(Ms(5));
        Assert.Empty(seen);
        Assert.True(t.IsPending);

        clock.AdvanceTo(Ms(25));
        Assert.Equal([Ms(10)], seen);
        Assert.Equal(Ms(25), clock.Now);
        Assert.False(t.IsPending);
        Assert.Equal(1, clock.Fired);
    }

    [Fact]
    public void Timers_fire_in_expiry_order_ties_in_arming_order_and_rearming_fires_again()
    {
        var clock = new TraceClock();
        var order = new List<string>();
        IDmaTimer? a = null;
        var rearmed = false;
        var ta = clock.CreateTimer(() =>
        {
            order.Add($"a@{clock.Now.TotalMilliseconds}");
            if (!rearmed)
            {
                rearmed = true;
                a!.ArmAt(clock.Now + Ms(10));
            }
        });
        a = ta;
        var tb = clock.CreateTimer(() => order.Add($"b@{clock.Now.TotalMilliseconds}"));
        var tc = clock.CreateTimer(() => order.Add($"c@{clock.Now.TotalMilliseconds}"));
        tb.ArmAt(Ms(5));
        ta.ArmAt(Ms(5));
        tc.ArmAt(Ms(1));

        clock.AdvanceTo(Ms(30));

        Assert.Equal(["c@1", "b@5", "a@5", "a@15"], order);
    }

    [Fact]
    public void A_cancelled_or_moved_timer_does_not_fire_early()
    {
        var clock = new TraceClock();
        var fired = 0;
        var t = clock.CreateTimer(() => fired++);
        t.ArmAt(Ms(5));
        t.ArmAt(Ms(50));
        clock.AdvanceTo(Ms(20));
        Assert.Equal(0, fired);

        Assert.True(t.Cancel());
        clock.AdvanceTo(Ms(60));
        Assert.Equal(0, fired);

        t.ArmAt(Ms(70));
        t.Dispose();
        clock.AdvanceTo(Ms(80));
        Assert.Equal(0, fired);
    }
}
