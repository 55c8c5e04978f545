using System.Diagnostics;
using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Driver.Platform;
using SmmuLab.Driver.Tests.Cmdq;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Driver.Tests.Platform;

/// <summary>The driver's single wait primitive: conditions, deadlines, WFE, and that the queue's waits go through it.</summary>
public class WaiterTests
{
    [Theory]
    [InlineData(WaitPace.Spin)]
    [InlineData(WaitPace.Yield)]
    [InlineData(WaitPace.Backoff)]
    public void WaitUntil_returns_once_another_thread_makes_the_condition_true(WaitPace pace)
    {
        var flag = 0;
        var setter = new Thread(() =>
        {
            Thread.Sleep(20);
            Volatile.Write(ref flag, 1);
        });
        setter.Start();
        Assert.True(Waiter.Default.WaitUntil(ref flag, static (ref int f) => Volatile.Read(ref f) == 1, pace, TimeSpan.FromSeconds(10)));
        setter.Join();
    }

    [Theory]
    [InlineData(WaitPace.Yield)]
    [InlineData(WaitPace.Backoff)]
    public void WaitUntil_gives_up_only_after_the_timeout(WaitPace pace)
    {
        var never = 0;
        var sw = Stopwatch.StartNew();
        Assert.False(Waiter.Default.WaitUntil(ref never, static (ref int _) => false, pace, TimeSpan.FromMilliseconds(50)));
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(50), $"gave up after {sw.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void A_condition_already_true_does_not_pause()
    {
        var waiter = new CountingWaiter();
        var state = 1;
        Assert.True(waiter.WaitUntil(ref state, static (ref int s) => s == 1, WaitPace.Backoff, TimeSpan.Zero));
        waiter.SpinUntil(ref state, static (ref int s) => s == 1);
        Assert.Equal(0, waiter.Pauses);
    }

    [Fact]
    public void A_backoff_wait_with_events_sleeps_in_wfe_until_the_event()
    {
        var events = new WaitForEvent();
        var done = 0;
        var signaller = new Thread(() =>
        {
            Thread.Sleep(20);
            Volatile.Write(ref done, 1);
            events.SendEvent();
        });
        signaller.Start();
        Assert.True(Waiter.Default.WaitUntil(ref done, static (ref int d) => Volatile.Read(ref d) == 1, WaitPace.Backoff, TimeSpan.FromSeconds(10), events));
        signaller.Join();
        Assert.True(events.EventsSent >= 1);
    }

    [Theory]
    [InlineData(SyncCompletionMode.Poll)]
    [InlineData(SyncCompletionMode.Msi)]
    [InlineData(SyncCompletionMode.Sev)]
    public void A_CMD_SYNC_wait_on_a_free_running_SMMU_goes_through_the_platform_waiter(SyncCompletionMode completion)
    {
        var waiter = new CountingWaiter();
        using var bed = new CommandQueueTestBed(ConsumptionMode.FreeRunning, completion, waiter: waiter);
        for (var i = 0; i < 200 && waiter.Pauses == 0; i++)
        {
            bed.Queue.IssueCommandWithSync(Command.TlbiNhAsid(0, (ushort)i));
        }

        Assert.True(waiter.Pauses > 0);
        Assert.Equal(0, bed.Queue.Lock.Value);
    }

    [Fact]
    public void A_timed_out_CMD_SYNC_paused_through_the_waiter_until_its_deadline()
    {
        var waiter = new CountingWaiter();
        using var bed = new CommandQueueTestBed(ConsumptionMode.Inline, SyncCompletionMode.Poll, timeout: TimeSpan.FromMilliseconds(50), enable: false, waiter: waiter);
        Assert.Throws<CommandQueueTimeoutException>(() => bed.Queue.Sync());
        Assert.True(waiter.Pauses > 0);
    }

    /// <summary>A waiter that counts the time it lets pass, as a concurrency tester's would schedule.</summary>
    private sealed class CountingWaiter : Waiter
    {
        private int pauses;

        public int Pauses => Volatile.Read(ref pauses);

        protected override void PassTime(ref WaitState wait)
        {
            Interlocked.Increment(ref pauses);
            base.PassTime(ref wait);
        }
    }
}
