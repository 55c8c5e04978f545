using System.Diagnostics;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Cmdq;

/// <summary>
/// One bounded wait on the SMMU (the kernel's <c>queue_poll</c>): the caller checks its condition,
/// calls <see cref="Wait"/>, and gives up with a timeout when it returns false. Between checks it
/// sleeps in WFE when one is available, otherwise spins a few times and then backs off with a
/// delay that doubles each round.
/// </summary>
internal struct QueuePoll
{
    /// <summary>cpu_relax() rounds before the first delay (ARM_SMMU_POLL_SPIN_COUNT).</summary>
    private const int SpinCount = 10;

    /// <summary>
    /// The longest back-off delay. The kernel lets the delay double without limit; a simulated
    /// waiter caps it so that it never oversleeps a completion by more than about a millisecond.
    /// </summary>
    private const int MaxDelayMicroseconds = 1024;

    /// <summary>How long one WFE may sleep without an event: the stand-in for the architected event stream.</summary>
    private static readonly TimeSpan EventStreamPeriod = TimeSpan.FromMilliseconds(1);

    /// <summary>Per-thread event register: the WFE object and generation this thread last woke on.</summary>
    [ThreadStatic]
    private static WaitForEvent? lastEventSource;

    [ThreadStatic]
    private static long lastEventGeneration;

    private readonly long deadline;
    private readonly WaitForEvent? wfe;
    private int spins;
    private int delayMicroseconds;

    public QueuePoll(TimeSpan timeout, WaitForEvent? wfe)
    {
        deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        this.wfe = wfe;
        delayMicroseconds = 1;
    }

    /// <summary>Waits a little; false once the timeout has passed (the caller then reports it).</summary>
    public bool Wait()
    {
        if (Stopwatch.GetTimestamp() > deadline)
        {
            return false;
        }

        if (wfe is not null)
        {
            WaitForEventOnce(wfe);
        }
        else if (++spins < SpinCount)
        {
            Thread.SpinWait(1);
        }
        else
        {
            Delay(delayMicroseconds);
            delayMicroseconds = Math.Min(delayMicroseconds * 2, MaxDelayMicroseconds);
            spins = 0;
        }

        return true;
    }

    /// <summary>
    /// WFE: returns at once if an event arrived since this thread's previous WFE (the event
    /// register is set), else sleeps until the next SEV or the event-stream period. Keeping the
    /// register per thread means a SEV sent between the caller's check and this call is not lost.
    /// </summary>
    private static void WaitForEventOnce(WaitForEvent events)
    {
        var seen = ReferenceEquals(lastEventSource, events) ? lastEventGeneration : -1;
        lastEventGeneration = seen < 0 ? events.EventsSent : events.Wait(seen, EventStreamPeriod);
        lastEventSource = events;
    }

    /// <summary>udelay: a short busy wait that yields the core, or a sleep once it reaches a millisecond.</summary>
    private static void Delay(int microseconds)
    {
        if (microseconds >= 1000)
        {
            Thread.Sleep(microseconds / 1000);
            return;
        }

        var until = Stopwatch.GetTimestamp() + (microseconds * Stopwatch.Frequency / 1_000_000);
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.Yield();
        }
    }
}
