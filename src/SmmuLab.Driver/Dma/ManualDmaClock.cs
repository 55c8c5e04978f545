namespace SmmuLab.Driver.Dma;

/// <summary>
/// A simulated clock: time moves only through <see cref="Advance"/> and <see cref="AdvanceTo"/>,
/// which fire every timer that falls due on the way, in order of expiry (ties in arming order), on
/// the calling thread, with <see cref="Now"/> set to each timer's expiry while it runs. A timer
/// re-armed by a callback fires again within the same advance when its new expiry is reached.
/// Thread-safe; callbacks run outside the clock's lock.
/// </summary>
public sealed class ManualDmaClock : IDmaClock
{
    private readonly object gate = new();
    private readonly List<Timer> timers = [];
    private TimeSpan now;
    private long armings;

    public TimeSpan Now
    {
        get
        {
            lock (gate)
            {
                return now;
            }
        }
    }

    /// <summary>Timers fired so far.</summary>
    public int Fired { get; private set; }

    public IDmaTimer CreateTimer(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var t = new Timer(this, callback);
        lock (gate)
        {
            timers.Add(t);
        }

        return t;
    }

    /// <summary>Moves time forward by <paramref name="by"/>, firing what falls due.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        AdvanceTo(Now + by);
    }

    /// <summary>Moves time to <paramref name="target"/> (never backwards), firing what falls due.</summary>
    public void AdvanceTo(TimeSpan target)
    {
        while (true)
        {
            Timer? next = null;
            lock (gate)
            {
                foreach (var t in timers)
                {
                    if (t.Pending && t.Due <= target && (next is null || t.Due < next.Due || (t.Due == next.Due && t.Order < next.Order)))
                    {
                        next = t;
                    }
                }

                if (next is null)
                {
                    if (target > now)
                    {
                        now = target;
                    }

                    return;
                }

                if (next.Due > now)
                {
                    now = next.Due;
                }

                next.Pending = false;
                next.Runner = Environment.CurrentManagedThreadId;
                Fired++;
            }

            try
            {
                next.Callback();
            }
            finally
            {
                lock (gate)
                {
                    next.Runner = 0;
                    Monitor.PulseAll(gate);
                }
            }
        }
    }

    /// <summary>Fires the timers due at the current time.</summary>
    public void RunDue() => AdvanceTo(Now);

    private sealed class Timer(ManualDmaClock clock, Action callback) : IDmaTimer
    {
        public Action Callback { get; } = callback;

        public bool Pending { get; set; }

        public TimeSpan Due { get; private set; }

        public long Order { get; private set; }

        /// <summary>Managed thread id running the callback, or 0.</summary>
        public int Runner { get; set; }

        public bool IsPending
        {
            get
            {
                lock (clock.gate)
                {
                    return Pending;
                }
            }
        }

        public TimeSpan DueAt
        {
            get
            {
                lock (clock.gate)
                {
                    return Due;
                }
            }
        }

        public void ArmAt(TimeSpan dueAt)
        {
            lock (clock.gate)
            {
                Due = dueAt;
                Order = ++clock.armings;
                Pending = true;
            }
        }

        public bool Cancel()
        {
            lock (clock.gate)
            {
                var was = Pending;
                Pending = false;
                while (Runner != 0 && Runner != Environment.CurrentManagedThreadId)
                {
                    Monitor.Wait(clock.gate);
                }

                return was;
            }
        }

        public void Dispose()
        {
            Cancel();
            lock (clock.gate)
            {
                clock.timers.Remove(this);
            }
        }
    }
}
