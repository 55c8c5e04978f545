namespace SmmuLab.Fuzzing;

/// <summary>What <see cref="FuzzRunner.Run"/> did: cases, statistics, wall time and the first failure.</summary>
/// <param name="Seed">The first case's seed.</param>
/// <param name="Statistics">What the model did over all cases run.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="Failure">The first failing case, or null.</param>
public sealed record FuzzReport(ulong Seed, FuzzStatistics Statistics, TimeSpan Elapsed, FuzzFailure? Failure);
