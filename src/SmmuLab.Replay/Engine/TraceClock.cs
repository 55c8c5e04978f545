using System.Runtime.CompilerServices;
using SmmuLab.Driver.Dma;

namespace SmmuLab.Replay.Engine;

/// <summary>
/// The simulated clock of a replay: the DMA layer's timers run in trace time. Like
/// <see cref="ManualDmaClock"/>, time moves only through <see cref="AdvanceTo"/>, which fires the
/// timers falling due on the way in order of expiry (ties in arming order) with <see cref="Now"/>
/// at each expiry, a timer re-armed by its callback firing again within the same advance. Unlike
/// it, the clock is for one thread (the replay's) and remembers its earliest expiry, so the
/// advance to every event's time costs a comparison when nothing is due.
/// </summary>
internal sealed class TraceClock : IDmaClock
{
    private readonly List<Timer> timers = [];
    private TimeSpan nextDue = TimeSpan.MaxValue;
    private long armings;

    public TimeSpan Now { get; private set; }

    /// <summary>Timers fired so far.</summary>
    public long Fired { get; private set; }

    public IDmaTimer CreateTimer(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var t = new Timer(this, callback);
        timers.Add(t);
        return t;
    }

    /// <summary>Moves time to <paramref name="target"/> (never backwards), firing what falls due.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AdvanceTo(TimeSpan target)
    {
        while (nextDue <= target)
        {
            Timer? next = null;
            foreach (var t in timers)
            {
                if (t.IsPending && (next is null || t.DueAt < next.DueAt || (t.DueAt == next.DueAt && t.Order < next.Order)))
                {
                    next = t;
                }
            }

            if (next is null || next.DueAt > target)
            {
                nextDue = next?.DueAt ?? TimeSpan.MaxValue;
                break;
            }

            if (next.DueAt > Now)
            {
                Now = next.DueAt;
            }

            next.IsPending = false;
            Fired++;
            next.Callback();
            nextDue = TimeSpan.MinValue; // rescan: the callback may have armed timers
        }

        if (target > Now)
        {
            Now = target;
        }
    }

    private void Armed(TimeSpan due)
    {
        if (due < nextDue)
        {
            nextDue = due;
        }
    }

    private sealed class Timer(TraceClock clock, Action callback) : IDmaTimer
    {
        public Action Callback { get; } = callback;

        public long Order { get; private set; }

        public bool IsPending { get; set; }

        public TimeSpan DueAt { get; private set; }

        public void ArmAt(TimeSpan dueAt)
        {
            DueAt = dueAt;
            Order = ++clock.armings;
            IsPending = true;
            clock.Armed(dueAt);
        }

        public bool Cancel()
        {
            var was = IsPending;
            IsPending = false;
            return was;
        }

        public void Dispose()
        {
            Cancel();
            clock.timers.Remove(this);
        }
    }
}
