namespace SmmuLab.Machines.Bench;

/// <summary>
/// The CPU number of the calling benchmark thread (<c>smp_processor_id()</c> of a bound kthread):
/// set by <see cref="DmaMapBenchmark"/> on each of its threads, 0 on every other thread. A CMDQV
/// driver given <see cref="Current"/> as its <c>CurrentCpu</c> sends each benchmark thread's
/// commands to that CPU's VCMDQ.
/// </summary>
public static class BenchCpu
{
    [ThreadStatic]
    private static int current;

    /// <summary>The calling thread's CPU number.</summary>
    public static int Current => current;

    /// <summary>A function returning <see cref="Current"/>, for <c>CmdqvDriverOptions.CurrentCpu</c>.</summary>
    public static Func<int> Reader { get; } = () => current;

    internal static void Set(int cpu) => current = cpu;
}
