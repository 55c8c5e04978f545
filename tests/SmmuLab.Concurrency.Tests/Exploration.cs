using System.Globalization;
using SmmuLab.Exploration;

namespace SmmuLab.Concurrency.Tests;

/// <summary>
/// The tests' side of an exploration: runs it with <see cref="CoyoteExplorer"/> (the bodies are in
/// SmmuLab.Exploration, rewritten in this output folder like the driver), prints what it did and
/// asserts the verdict. The broken variants the negative controls explore stay in TestSupport.
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

    /// <summary>Explores <paramref name="test"/> for <paramref name="iterations"/> iterations (stopping at the first bug) and prints the result.</summary>
    public static ExplorationResult Run(string name, uint iterations, Func<Task> test)
    {
        var result = CoyoteExplorer.Run(name, iterations, test);
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

    /// <summary>Explores one of the correct driver's explorations (<see cref="SystematicExplorations"/>).</summary>
    public static ExplorationResult AssertNoBug(SystematicExploration exploration, uint ciIterations) =>
        AssertNoBug(exploration.Name, ciIterations, exploration.Body);

    /// <summary>Explores a deliberately broken variant: some schedule must break it within the budget.</summary>
    public static ExplorationResult AssertBugFound(string name, Func<Task> test, params string[] expected)
    {
        var result = Run(name, NegativeControlBudget, test);
        Assert.True(result.Bugs > 0, $"{name}: the defect was not found in {result.Schedules} schedules");
        Assert.Contains(result.BugReports, r => expected.Any(e => r.Contains(e, StringComparison.Ordinal)));
        return result;
    }
}
