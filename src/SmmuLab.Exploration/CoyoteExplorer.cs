using System.Diagnostics;
using Microsoft.Coyote;
using Microsoft.Coyote.Logging;
using Microsoft.Coyote.SystematicTesting;

namespace SmmuLab.Exploration;

/// <summary>
/// Runs one exploration in-process with Coyote's testing engine: a number of iterations, each a
/// fresh machine and a new schedule of its tasks, chosen by Coyote's default (fair) portfolio of
/// strategies from a seed. Coyote controls only rewritten code: the exploration's body must be in
/// a rewritten assembly (this one, or a test assembly), and the driver it runs must be a rewritten
/// copy; the driver's own waits and ordering points reach Coyote through <see cref="CoyoteWaiter"/>.
/// </summary>
public static class CoyoteExplorer
{
    /// <summary>The most scheduling steps of one iteration.</summary>
    public const uint MaxSchedulingSteps = 20_000;

    /// <summary>
    /// Explores <paramref name="test"/> for <paramref name="iterations"/> iterations, stopping at the
    /// first bug or when <paramref name="stop"/> is cancelled (after the current iteration).
    /// </summary>
    /// <param name="name">The exploration's name; with <paramref name="salt"/>, it gives the seed (<see cref="Seed"/>).</param>
    /// <param name="iterations">Iterations to run.</param>
    /// <param name="test">One iteration's body.</param>
    /// <param name="salt">Mixed into the seed; 0 gives the seed the concurrency tests use.</param>
    /// <param name="stop">Stops the exploration.</param>
    public static ExplorationResult Run(string name, uint iterations, Func<Task> test, uint salt = 0, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(test);
        var seed = Seed(name, salt);
        var config = Configuration.Create()
            .WithTestingIterations(iterations)
            .WithMaxSchedulingSteps(MaxSchedulingSteps)
            .WithDeadlockTimeout(10_000)
            .WithRandomGeneratorSeed(seed)
            .WithTelemetryEnabled(false);
        using var engine = TestingEngine.Create(config, test);

        // The engine logs its iterations to the console (standard output) unless told otherwise:
        // the CLI's output is its report (or a JSON document), and the results say what ran.
        engine.SetLogger(new TextWriterLogger(TextWriter.Null, VerbosityLevel.None));
        using var stopping = stop.Register(engine.Stop);
        var clock = Stopwatch.StartNew();
        engine.Run();
        clock.Stop();
        var report = engine.TestReport;
        return new ExplorationResult(
            name,
            seed,
            report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths,
            report.TotalExploredFairSteps + report.TotalExploredUnfairSteps,
            report.NumOfFoundBugs,
            [.. report.BugReports],
            clock.Elapsed);
    }

    /// <summary>
    /// The seed of an exploration: a hash of its name (FNV-1a), exclusive-or <paramref name="salt"/>;
    /// fixed per exploration, so a failure replays with the same schedules.
    /// </summary>
    public static uint Seed(string name, uint salt = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        var h = 2166136261u;
        foreach (var c in name)
        {
            h = (h ^ c) * 16777619u;
        }

        return h ^ salt;
    }
}
