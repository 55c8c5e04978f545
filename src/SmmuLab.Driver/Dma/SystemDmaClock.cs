using System.Diagnostics;

namespace SmmuLab.Driver.Dma;

/// <summary>
/// Wall-clock time from a <see cref="Stopwatch"/> started at construction; timers are thread-pool
/// timers, so their callbacks run on pool threads (like a kernel timer running in softirq context
/// on some CPU). Resolution is the operating system's timer resolution.
/// </summary>
public sealed class SystemDmaClock : IDmaClock
{
    private readonly Stopwatch watch = Stopwatch.StartNew();

    public TimeSpan Now => watch.Elapsed;

    public IDmaTimer CreateTimer(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new PoolTimer(this, callback);
    }

    private sealed class PoolTimer : IDmaTimer
    {
        private readonly object gate = new();
        private readonly SystemDmaClock clock;
        private readonly Action callback;
        private readonly System.Threading.Timer timer;
        private bool pending;
        private TimeSpan due;
        private int runner;

        public PoolTimer(SystemDmaClock clock, Action callback)
        {
            this.clock = clock;
            this.callback = callback;
            timer = new System.Threading.Timer(_ => Fire(), null, Timeout.Infinite, Timeout.Infinite);
        }

        public bool IsPending
        {
            get
            {
                lock (gate)
                {
                    return pending;
                }
            }
        }

        public TimeSpan DueAt
        {
            get
            {
                lock (gate)
                {
                    return due;
                }
            }
        }

        public void ArmAt(TimeSpan dueAt)
        {
            lock (gate)
            {
                due = dueAt;
                pending = true;
                timer.Change(Delay(dueAt), Timeout.InfiniteTimeSpan);
            }
        }

        public bool Cancel()
        {
            lock (gate)
            {
                var was = pending;
                pending = false;
                timer.Change(Timeout.Infinite, Timeout.Infinite);
                while (runner != 0 && runner != Environment.CurrentManagedThreadId)
                {
                    Monitor.Wait(gate);
                }

                return was;
            }
        }

        public void Dispose()
        {
            Cancel();
            timer.Dispose();
        }

        private TimeSpan Delay(TimeSpan dueAt)
        {
            var d = dueAt - clock.Now;
            return d < TimeSpan.Zero ? TimeSpan.Zero : d;
        }

        private void Fire()
        {
            lock (gate)
            {
                if (!pending)
                {
                    return;
                }

                if (clock.Now < due)
                {
                    // A firing left over from an earlier arming: wait for the current expiry.
                    timer.Change(Delay(due), Timeout.InfiniteTimeSpan);
                    return;
                }

                pending = false;
                runner = Environment.CurrentManagedThreadId;
            }

            try
            {
                callback();
            }
            finally
            {
                lock (gate)
                {
                    runner = 0;
                    Monitor.PulseAll(gate);
                }
            }
        }
    }
}
