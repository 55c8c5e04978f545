namespace SmmuLab.Verification.Stress;

/// <summary>One phase of a <see cref="StressCheck"/>: the timed stress or the explorations.</summary>
/// <param name="Name">"stress" or "explore".</param>
/// <param name="Schedules">Machines run: 1 for the stress phase, one per exploration.</param>
/// <param name="DmaPagesChecked">Pages of DMA the oracle judged (DMA that reached memory).</param>
/// <param name="Counters">What the threads did.</param>
/// <param name="Elapsed">Wall time of the phase.</param>
/// <param name="OrderingPoints">Driver ordering points met under the schedule-noise waiter (0 in the stress phase, which has none).</param>
/// <param name="Perturbed">Of those, the points where the thread yielded, spun or slept.</param>
public sealed record StressPhase(string Name, int Schedules, long DmaPagesChecked, StressCounters Counters, TimeSpan Elapsed,
    long OrderingPoints, long Perturbed);
