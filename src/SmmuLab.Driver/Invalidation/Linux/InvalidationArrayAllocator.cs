using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Invalidation.Linux;

/// <summary>
/// Where invalidation arrays come from (the kernel's <c>kzalloc</c> for <c>arm_smmu_invs</c>), with
/// failure injection: tests prove that an attach whose merge fails changes nothing, that a failed
/// purge only leaves trash behind, and that attaching to blocked or identity never needs it.
/// </summary>
/// <param name="waiter">What the arrays' ATC fences wait through (<see cref="Waiter.Default"/> when null).</param>
internal sealed class InvalidationArrayAllocator(Waiter? waiter = null)
{
    private readonly Waiter waiter = waiter ?? Waiter.Default;
    private int failAfter = -1;
    private long allocations;
    private long failures;

    /// <summary>When non-negative: this many more allocations succeed, then every one fails until reset to -1.</summary>
    public int FailAfter
    {
        get => Volatile.Read(ref failAfter);
        set => Volatile.Write(ref failAfter, value);
    }

    /// <summary>What the arrays' fences wait through; the design's ordering points go to it too.</summary>
    public Waiter Waiter => waiter;

    /// <summary>Arrays handed out.</summary>
    public long Allocations => Interlocked.Read(ref allocations);

    /// <summary>Allocations refused by injection.</summary>
    public long Failures => Interlocked.Read(ref failures);

    /// <summary>Makes the next allocation fail (and every later one, until <see cref="FailAfter"/> is reset to -1).</summary>
    public void FailNext() => FailAfter = 0;

    /// <summary>A zeroed array of <paramref name="capacity"/> entries, all counted.</summary>
    /// <exception cref="DmaAllocationException">Injected failure.</exception>
    public InvalidationArray Allocate(int capacity)
    {
        while (true)
        {
            var f = Volatile.Read(ref failAfter);
            if (f == 0)
            {
                Interlocked.Increment(ref failures);
                throw new DmaAllocationException($"injected allocation failure (invalidation array of {capacity} entries)");
            }

            if (f < 0 || Interlocked.CompareExchange(ref failAfter, f - 1, f) == f)
            {
                break;
            }
        }

        Interlocked.Increment(ref allocations);
        return new InvalidationArray(capacity, waiter);
    }
}
