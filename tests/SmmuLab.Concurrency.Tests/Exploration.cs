using System.Diagnostics;
using System.Globalization;
using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;

namespace SmmuLab.Concurrency.Tests;

/// <summary>
/// Runs one exploration in-process with Coyote's testing engine: a number of iterations, each a
/// fresh machine and a new schedule of its tasks. This assembly is rewritten after build, so the
/// tasks, awaits and monitors of the tests are under Coyote's control; the driver's own waits and
/// ordering points reach it through <see cref="CoyoteWaiter"/>.
/// </summary>
public static class Exploration
{
    /// <summary>The environment variable that sets how many iterations each correct exploration runs.</summary>
    public const string IterationsVariable = "SMMULAB_COYOTE_ITERATIONS";

    /// <summary>Iterations a negative control may take to find its defect before it fails.</summary>
    public const uint NegativeControlBudget = 2000;

    /// <summary>How many iterations a correct exploration runs: the environment's number, else <paramref name="ci"/>.</summary>
    public static uint Iterations(uint ci) =>
        uint.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : ci;

    /// <summary>Explores <paramref name="test"/> for <paramref name="iterations"/> iterations (stopping at the first bug).</summary>
    public static ExplorationResult Run(string name, uint iterations, Func<Task> test)
    {
        var config = Configuration.Create()
            .WithTestingIterations(iterations)
            .WithMaxSchedulingSteps(20_000)
            .WithDeadlockTimeout(10_000)
            .WithRandomGeneratorSeed(Seed(name));
        using var engine = TestingEngine.Create(config, test);
        var clock = Stopwatch.StartNew();
        engine.Run();
        clock.Stop();
        var report = engine.TestReport;
        var result = new ExplorationResult(
            name,
            report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths,
            report.TotalExploredFairSteps + report.TotalExploredUnfairSteps,
            report.NumOfFoundBugs,
            [.. report.BugReports],
            clock.Elapsed);
        TestContext.Current.TestOutputHelper?.WriteLine(result.ToString());
        Console.Error.WriteLine(result.ToString());
        return result;
    }

    /// <summary>Explores a correct design: no schedule may break it.</summary>
    public static ExplorationResult AssertNoBug(string name, uint ciIterations, Func<Task> test)
    {
        var result = Run(name, Iterations(ciIterations), test);
        Assert.True(result.Bugs == 0, $"{result}\n{string.Join("\n", result.BugReports)}");
        Assert.True(result.Schedules > 0, $"{name}: nothing was explored");
        return result;
    }

    /// <summary>Explores a deliberately broken variant: some schedule must break it within the budget.</summary>
    public static ExplorationResult AssertBugFound(string name, Func<Task> test, params string[] expected)
    {
        var result = Run(name, NegativeControlBudget, test);
        Assert.True(result.Bugs > 0, $"{name}: the defect was not found in {result.Schedules} schedules");
        Assert.Contains(result.BugReports, r => expected.Any(e => r.Contains(e, StringComparison.Ordinal)));
        return result;
    }

    /// <summary>A fixed seed per exploration, so a CI failure replays with the same schedules.</summary>
    private static uint Seed(string name)
    {
        var h = 2166136261u;
        foreach (var c in name)
        {
            h = (h ^ c) * 16777619u;
        }

        return h;
    }
}

/// <summary>What one exploration did: schedules (iterations) run, scheduling steps taken in all, bugs, wall time.</summary>
public sealed record ExplorationResult(string Name, int Schedules, long Steps, int Bugs, IReadOnlyList<string> BugReports, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"coyote {Name}: {Schedules} schedules, {Steps} scheduling steps, {Bugs} bug(s), {Elapsed.TotalSeconds:F1} s"
        + (BugReports.Count > 0 ? $"; first: {BugReports[0]}" : "");
}
