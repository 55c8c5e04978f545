using System.Globalization;

namespace SmmuLab.Exploration;

/// <summary>What one exploration did.</summary>
/// <param name="Name">The exploration.</param>
/// <param name="Seed">The seed of Coyote's choices: the same seed and iterations explore the same schedules.</param>
/// <param name="Schedules">Iterations run: each a fresh machine and one schedule of its tasks.</param>
/// <param name="Steps">Coyote's scheduling steps (choice points), summed over the iterations.</param>
/// <param name="Bugs">Bugs found (the exploration stops at the first).</param>
/// <param name="BugReports">Coyote's report of each bug: the failed assertion or the unhandled exception.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record ExplorationResult(string Name, uint Seed, int Schedules, long Steps, int Bugs, IReadOnlyList<string> BugReports, TimeSpan Elapsed)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"coyote {Name}: {Schedules} schedules, {Steps} scheduling steps, {Bugs} bug(s), {Elapsed.TotalSeconds:F1} s")
        + (BugReports.Count > 0 ? $"; first: {BugReports[0]}" : string.Empty);
}
