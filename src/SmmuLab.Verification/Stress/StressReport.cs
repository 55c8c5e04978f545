namespace SmmuLab.Verification.Stress;

/// <summary>What <see cref="StressCheck.Run"/> found.</summary>
/// <param name="Machine">The devices and their roles, in one line.</param>
/// <param name="Options">What was run.</param>
/// <param name="Stress">The stress phase (null when <c>Duration</c> was zero).</param>
/// <param name="Explore">The explore phase (null when no exploration ran).</param>
/// <param name="Violations">The oracle's reports (the first few).</param>
/// <param name="Failures">Threads that threw, one line each.</param>
/// <remarks>The systematic phase, which the CLI runs apart (<see cref="Systematic"/>), is set with <c>with</c>.</remarks>
public sealed record StressReport(string Machine, StressOptions Options, StressPhase? Stress, StressPhase? Explore,
    IReadOnlyList<StressViolation> Violations, IReadOnlyList<string> Failures)
{
    /// <summary>The systematic (Coyote) explorations, or null when none ran.</summary>
    public SystematicPhase? Systematic { get; init; }

    /// <summary>True when the oracle reported nothing, no thread failed and no exploration found a bug.</summary>
    public bool Clean => Violations.Count == 0 && Failures.Count == 0 && (Systematic?.Bugs ?? 0) == 0;
}
