using SmmuLab.Driver.Platform;

namespace SmmuLab.Verification.Stress;

/// <summary>
/// A waiter that perturbs real threads at the driver's ordering points (array publish and load,
/// reader entries, unref, STE install, ATS disable, the command queue's steps): at each it draws
/// from the calling thread's seeded generator and does nothing, yields, spins a while or sleeps
/// for a moment. That widens the windows between the points the driver orders, so races the
/// plain schedule almost never hits get a chance. It is randomized, not systematic: the same
/// seed gives the same choices per thread, but the operating system still decides the order.
/// </summary>
/// <param name="seed">Where every thread's generator starts.</param>
public sealed class ScheduleNoiseWaiter(int seed) : Waiter(interleaves: true)
{
    [ThreadStatic]
    private static Random? threadRandom;

    private readonly object sharedGate = new();
    private readonly Random shared = new(seed);
    private long points;
    private long perturbed;

    /// <summary>Ordering points met.</summary>
    public long Points => Interlocked.Read(ref points);

    /// <summary>Ordering points at which the thread yielded, spun or slept.</summary>
    public long Perturbed => Interlocked.Read(ref perturbed);

    /// <summary>Gives the calling thread its own generator, from the seed and its role number.</summary>
    public void Enroll(int role) => threadRandom = new Random(HashCode.Combine(seed, role));

    /// <summary>Forgets the calling thread's generator (the thread goes back to the shared one).</summary>
    public static void Leave() => threadRandom = null;

    protected override void Interleave(OrderingPoint point)
    {
        Interlocked.Increment(ref points);
        int draw;
        if (threadRandom is { } r)
        {
            draw = r.Next(100);
        }
        else
        {
            lock (sharedGate)
            {
                draw = shared.Next(100);
            }
        }

        if (draw < 45)
        {
            return;
        }

        Interlocked.Increment(ref perturbed);
        if (draw < 70)
        {
            Thread.Yield();
        }
        else if (draw < 92)
        {
            Thread.SpinWait(20 + (draw * 8));
        }
        else if (draw < 99)
        {
            Thread.Sleep(0);
        }
        else
        {
            Thread.Sleep(1);
        }
    }
}
