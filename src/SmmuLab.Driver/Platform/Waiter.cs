using System.Diagnostics;
using System.Runtime.CompilerServices;
using SmmuLab.Architecture.Memory;

namespace SmmuLab.Driver.Platform;

/// <summary>
/// The one way the driver waits: on the SMMU (a register value, queue space, a CMD_SYNC's
/// completion) and on other CPUs (a producer's valid bits, the previous owner, a lock, a fence).
/// Every wait checks its condition, then calls <see cref="Pause"/>, which gives up once the
/// deadline has passed and otherwise lets time pass through <see cref="PassTime"/>, the single
/// place where the waiting thread lets others run.
/// </summary>
/// <remarks>
/// The platform hands one to the driver (<see cref="DriverPlatform.Waiter"/>). A systematic
/// concurrency tester derives from it and turns <see cref="PassTime"/> into a scheduling point,
/// and, constructed with <c>interleaves: true</c>, the <see cref="At"/> ordering points into more;
/// the driver itself keeps no other spin or sleep loop. Allocation-free: the state a condition
/// reads is passed by reference to a static lambda (<see cref="WaitCondition{TState}"/>).
/// </remarks>
public class Waiter
{
    /// <summary>cpu_relax() rounds before the first back-off delay (ARM_SMMU_POLL_SPIN_COUNT).</summary>
    private const int SpinCount = 10;

    /// <summary>
    /// The longest back-off delay. The kernel lets the delay double without limit; a simulated
    /// waiter caps it so that it never oversleeps a completion by more than about a millisecond.
    /// </summary>
    private const int MaxDelayMicroseconds = 1024;

    /// <summary>Pauses per deadline check (a power of two); the first pause checks too.</summary>
    private const int DeadlineCheckInterval = 8;

    /// <summary>How long one WFE may sleep without an event: the stand-in for the architected event stream.</summary>
    private static readonly TimeSpan EventStreamPeriod = TimeSpan.FromMilliseconds(1);

    /// <summary>True when <see cref="At"/> calls <see cref="Interleave"/>; false for the plain waiter.</summary>
    private readonly bool interleaves;

    /// <summary>A plain waiter: ordering points cost one test of a field.</summary>
    public Waiter()
        : this(interleaves: false)
    {
    }

    /// <summary>A waiter that, when <paramref name="interleaves"/>, is told every <see cref="OrderingPoint"/> (<see cref="Interleave"/>).</summary>
    protected Waiter(bool interleaves) => this.interleaves = interleaves;

    /// <summary>The plain waiter (it holds no state, so one serves every platform that is given no other).</summary>
    public static Waiter Default { get; } = new();

    /// <summary>
    /// An ordering point of the driver: a step whose order against other CPUs matters. Nothing
    /// happens unless this waiter was built to interleave; then <see cref="Interleave"/> runs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void At(OrderingPoint point)
    {
        if (interleaves)
        {
            Interleave(point);
        }
    }

    /// <summary>Starts a bounded wait; with <see cref="WaitPace.Backoff"/> and <paramref name="events"/>, pauses are WFEs.</summary>
    public WaitState Begin(WaitPace pace, TimeSpan timeout, WaitForEvent? events = null) => new()
    {
        // The deadline is set at the first pause: a wait whose condition holds at once reads no clock.
        TimeoutTicks = Math.Max(1, (long)(timeout.TotalSeconds * Stopwatch.Frequency)),
        Pace = pace,
        Events = pace == WaitPace.Backoff ? events : null,
        EventGeneration = -1,
        DelayMicroseconds = 1,
    };

    /// <summary>Starts an unbounded <see cref="WaitPace.Spin"/> wait on another CPU.</summary>
    public WaitState BeginSpin() => new() { Deadline = long.MaxValue, Pace = WaitPace.Spin, EventGeneration = -1 };

    /// <summary>Lets a little time pass; false, without waiting, once the deadline has passed (the caller then reports it).</summary>
    public bool Pause(ref WaitState wait)
    {
        // The clock is read on every eighth pause only: a read costs tens of ns on a virtual
        // machine, as much as a spin, and a deadline of a second loses nothing by it.
        if (wait.Deadline != long.MaxValue && (++wait.Pauses & (DeadlineCheckInterval - 1)) == 1)
        {
            var now = Stopwatch.GetTimestamp();
            if (wait.Deadline == 0)
            {
                wait.Deadline = now + wait.TimeoutTicks;
            }
            else if (now > wait.Deadline)
            {
                return false;
            }
        }

        PassTime(ref wait);
        return true;
    }

    /// <summary>Waits until <paramref name="condition"/> holds (checked first); false if the timeout passed first.</summary>
    public bool WaitUntil<TState>(ref TState state, WaitCondition<TState> condition, WaitPace pace, TimeSpan timeout, WaitForEvent? events = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        if (condition(ref state))
        {
            return true; // the usual case (an inline SMMU completed it already): no clock read for a deadline
        }

        var wait = Begin(pace, timeout, events);
        while (!condition(ref state))
        {
            if (!Pause(ref wait))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Spins until <paramref name="condition"/> holds (checked first): another CPU is about to make it true.</summary>
    public void SpinUntil<TState>(ref TState state, WaitCondition<TState> condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var wait = BeginSpin();
        while (!condition(ref state))
        {
            Pause(ref wait);
        }
    }

    /// <summary>Reads a 32-bit register until the bits in <paramref name="mask"/> equal <paramref name="want"/>, yielding between reads; false on timeout.</summary>
    public bool WaitForRegister(IMmio mmio, int offset, uint mask, uint want, TimeSpan timeout)
    {
        var state = (Mmio: mmio, Offset: offset, Mask: mask, Want: want);
        return WaitUntil(ref state, static (ref (IMmio Mmio, int Offset, uint Mask, uint Want) s) => (s.Mmio.Read32(s.Offset) & s.Mask) == s.Want,
            WaitPace.Yield, timeout);
    }

    /// <summary>
    /// The scheduling point: every pause of every driver wait comes here. The base class spins,
    /// yields, backs off or sleeps in WFE as <see cref="WaitState.Pace"/> says.
    /// </summary>
    protected virtual void PassTime(ref WaitState wait)
    {
        switch (wait.Pace)
        {
            case WaitPace.Spin:
                wait.Spinner.SpinOnce();
                break;
            case WaitPace.Yield:
                Thread.Yield();
                break;
            default:
                Backoff(ref wait);
                break;
        }
    }

    /// <summary>A systematic tester's scheduling point at <paramref name="point"/>; the base class does nothing.</summary>
    protected virtual void Interleave(OrderingPoint point)
    {
    }

    /// <summary>queue_poll: WFE when there is an event source, else spin a few rounds and then delay, doubling each time.</summary>
    private static void Backoff(ref WaitState wait)
    {
        if (wait.Events is { } events)
        {
            // WFE: return at once if an event arrived since this wait's previous WFE (the event
            // register is set), else sleep until the next SEV or the event-stream period. The
            // first pause only arms the register, so an event sent before it is not slept through.
            wait.EventGeneration = wait.EventGeneration < 0 ? events.EventsSent : events.Wait(wait.EventGeneration, EventStreamPeriod);
        }
        else if (++wait.Spins < SpinCount)
        {
            Thread.SpinWait(1);
        }
        else
        {
            Delay(wait.DelayMicroseconds);
            wait.DelayMicroseconds = Math.Min(wait.DelayMicroseconds * 2, MaxDelayMicroseconds);
            wait.Spins = 0;
        }
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
