namespace SmmuLab.Exploration;

/// <summary>
/// The one entry point <c>smmulab check --explore N</c> calls. The CLI loads this assembly from
/// its rewritten copy (the <c>explore/</c> folder) into an assembly load context of its own, so
/// the entry point takes and returns only types of the base library, which both contexts share.
/// </summary>
public static class CommandLineEntry
{
    /// <summary>The type's full name, for the CLI's reflection.</summary>
    public const string TypeName = "SmmuLab.Exploration.CommandLineEntry";

    /// <summary>
    /// Runs every exploration of <see cref="SystematicExplorations.All"/> for
    /// <paramref name="iterations"/> iterations, each stopping at its first bug; stops before the
    /// next exploration (and within the current one, after its iteration) when <paramref name="stop"/> is cancelled.
    /// </summary>
    /// <param name="iterations">Iterations per exploration (at least 1).</param>
    /// <param name="salt">Mixed into every exploration's seed (<see cref="CoyoteExplorer.Seed"/>); 0 gives the concurrency tests' seeds.</param>
    /// <param name="starting">Told the index, the count and the name of each exploration as it starts.</param>
    /// <param name="stop">Stops the run.</param>
    /// <returns>One entry per exploration run: name, seed, schedules, scheduling steps, bugs, the first bug's report (or null), wall time.</returns>
    public static IReadOnlyList<(string Name, uint Seed, int Schedules, long Steps, int Bugs, string? FirstBug, TimeSpan Elapsed)> Run(
        uint iterations, uint salt, Action<int, int, string>? starting, CancellationToken stop)
    {
        ArgumentOutOfRangeException.ThrowIfZero(iterations);
        var all = SystematicExplorations.All;
        var results = new List<(string, uint, int, long, int, string?, TimeSpan)>(all.Count);
        for (var i = 0; i < all.Count && !stop.IsCancellationRequested; i++)
        {
            starting?.Invoke(i, all.Count, all[i].Name);
            var r = CoyoteExplorer.Run(all[i].Name, iterations, all[i].Body, salt, stop);
            results.Add((r.Name, r.Seed, r.Schedules, r.Steps, r.Bugs, r.BugReports.Count > 0 ? r.BugReports[0] : null, r.Elapsed));
        }

        return results;
    }
}
