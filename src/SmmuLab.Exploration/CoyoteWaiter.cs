using Microsoft.Coyote.Runtime;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Exploration;

/// <summary>
/// The driver's waits and ordering points as Coyote scheduling points: every pause of a wait
/// yields (the waiting task is spinning, so the scheduler should prefer another), and every
/// <see cref="OrderingPoint"/> lets the scheduler switch tasks.
/// </summary>
public sealed class CoyoteWaiter : Waiter
{
    private long points;

    public CoyoteWaiter()
        : base(interleaves: true)
    {
    }

    /// <summary>Ordering points met so far (all tasks, this machine).</summary>
    public long Points => points;

    protected override void PassTime(ref WaitState wait) => SchedulingPoint.Yield();

    protected override void Interleave(OrderingPoint point)
    {
        // Plain: Coyote runs one task at a time (an Interlocked call would be one more scheduling point).
        points++;
        SchedulingPoint.Interleave();
    }
}
