namespace SmmuLab.Verification.Stress;

/// <summary>What <see cref="StressCheck.Run"/> found.</summary>
/// <param name="Machine">The devices and their roles, in one line.</param>
/// <param name="Options">What was run.</param>
/// <param name="Stress">The stress phase (null when <c>Duration</c> was zero).</param>
/// <param name="Explore">The explore phase (null when no exploration ran).</param>
/// <param name="Violations">The oracle's reports (the first few).</param>
/// <param name="Failures">Threads that threw, one line each.</param>
public sealed record StressReport(string Machine, StressOptions Options, StressPhase? Stress, StressPhase? Explore,
    IReadOnlyList<StressViolation> Violations, IReadOnlyList<string> Failures)
{
    /// <summary>True when the oracle reported nothing and no thread failed.</summary>
    public bool Clean => Violations.Count == 0 && Failures.Count == 0;
}
