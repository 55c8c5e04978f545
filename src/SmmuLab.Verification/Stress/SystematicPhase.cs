namespace SmmuLab.Verification.Stress;

/// <summary>
/// The systematic phase of <c>smmulab check</c> (<c>--explore N</c>): Coyote's explorations of the
/// driver's races, each on its own machine with the Linux design, N iterations each. They run in a
/// rewritten copy of the driver (the CLI's <c>explore/</c> folder), so this record carries only
/// what they reported.
/// </summary>
/// <param name="Iterations">Iterations asked of each exploration.</param>
/// <param name="Explorations">Each exploration run, in order.</param>
/// <param name="Elapsed">Wall time of the phase.</param>
public sealed record SystematicPhase(uint Iterations, IReadOnlyList<SystematicOutcome> Explorations, TimeSpan Elapsed)
{
    /// <summary>Interleavings explored in all.</summary>
    public long Schedules => Explorations.Sum(e => (long)e.Schedules);

    /// <summary>Scheduling steps in all.</summary>
    public long Steps => Explorations.Sum(e => e.Steps);

    /// <summary>Bugs found in all.</summary>
    public int Bugs => Explorations.Sum(e => e.Bugs);
}
