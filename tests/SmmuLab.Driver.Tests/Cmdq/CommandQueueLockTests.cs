using SmmuLab.Driver.Cmdq;

namespace SmmuLab.Driver.Tests.Cmdq;

public sealed class CommandQueueLockTests
{
    [Fact]
    public void Shared_holders_count_up_and_block_the_exclusive_trylock()
    {
        var l = new CommandQueueLock();
        l.SharedLock();
        l.SharedLock();
        Assert.Equal(2, l.Value);
        Assert.False(l.ExclusiveTryLock());

        // Not the last holder: released. The last holder is told to publish first, still holding.
        Assert.True(l.SharedTryUnlock());
        Assert.False(l.SharedTryUnlock());
        Assert.Equal(1, l.Value);
        l.SharedUnlock();

        Assert.True(l.ExclusiveTryLock());
        Assert.Equal(int.MinValue, l.Value);
        Assert.False(l.ExclusiveTryLock());
        l.ExclusiveUnlock();
        Assert.Equal(0, l.Value);
    }

    [Fact]
    public void Shared_waiters_stay_counted_while_exclusive_is_held_and_all_enter_at_its_release()
    {
        var l = new CommandQueueLock();
        Assert.True(l.ExclusiveTryLock());
        var entered = 0;
        var waiters = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            l.SharedLock();
            Interlocked.Increment(ref entered);
        })).ToArray();
        foreach (var t in waiters)
        {
            t.Start();
        }

        SpinWait.SpinUntil(() => l.Value == int.MinValue + 3, TimeSpan.FromSeconds(5));
        Assert.Equal(int.MinValue + 3, l.Value);
        Assert.Equal(0, Volatile.Read(ref entered));

        // Clearing only the sign bit admits exactly the waiters, with their increments kept.
        l.ExclusiveUnlock();
        foreach (var t in waiters)
        {
            Assert.True(t.Join(TimeSpan.FromSeconds(5)));
        }

        Assert.Equal((3, 3), (l.Value, entered));
        Assert.False(l.ExclusiveTryLock());
    }
}
