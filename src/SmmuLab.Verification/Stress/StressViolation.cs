namespace SmmuLab.Verification.Stress;

/// <summary>A violation the oracle reported, with the schedule it happened in and the seed that reruns it.</summary>
/// <param name="Phase">"stress" or "explore".</param>
/// <param name="Schedule">The exploration's number (0 in the stress phase).</param>
/// <param name="Seed">The seed of that schedule: <c>--seed</c> for a rerun.</param>
/// <param name="Violation">What the oracle reported.</param>
public sealed record StressViolation(string Phase, int Schedule, int Seed, OracleViolation Violation);
