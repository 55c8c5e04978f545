namespace SmmuLab.Verification.Stress;

/// <summary>One systematic (Coyote) exploration of <c>smmulab check --explore N</c>.</summary>
/// <param name="Name">The exploration (docs/concurrency.md).</param>
/// <param name="Seed">The seed of its schedules (the run's seed mixed with the exploration's name).</param>
/// <param name="Schedules">Interleavings explored: iterations, each a fresh machine and one schedule of its tasks.</param>
/// <param name="Steps">Coyote's scheduling steps (choice points), summed over the schedules.</param>
/// <param name="Bugs">Bugs found: a failed check or an unhandled exception (the exploration stops at the first).</param>
/// <param name="FirstBug">Coyote's report of the first bug, or null.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record SystematicOutcome(string Name, uint Seed, int Schedules, long Steps, int Bugs, string? FirstBug, TimeSpan Elapsed);
