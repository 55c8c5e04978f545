using System.Diagnostics;
using CsCheck;

namespace SmmuLab.Fuzzing;

/// <summary>
/// Runs generated cases one after another, case k from seed <c>Seed + k</c> (so a failing case is
/// rerun alone by starting at its seed), until the time or the case budget is spent or a case
/// fails. A failing case is shrunk by dropping actions while it still fails. Exceptions from the
/// target are failures: a model must answer every input, never throw.
/// </summary>
public static class FuzzRunner
{
    /// <summary>The real target: each case on a fresh <see cref="FuzzMachine"/>.</summary>
    public static Func<FuzzCase, FuzzStatistics, string?> Model { get; } = FuzzMachine.Run;

    /// <summary>The case seed <paramref name="seed"/> generates (the same in every process).</summary>
    public static FuzzCase Generate(ulong seed) => FuzzGenerators.Case.Generate(new PCG(1, seed), null!, out _);

    /// <summary>Runs cases from <paramref name="seed"/> for <paramref name="duration"/> or <paramref name="maxCases"/> cases, whichever ends first.</summary>
    public static FuzzReport Run(ulong seed, TimeSpan duration, long maxCases = long.MaxValue, Func<FuzzCase, FuzzStatistics, string?>? target = null,
        CancellationToken cancel = default)
    {
        target ??= Model;
        var stats = new FuzzStatistics();
        var clock = Stopwatch.StartNew();
        for (long k = 0; k < maxCases && clock.Elapsed < duration && !cancel.IsCancellationRequested; k++)
        {
            var caseSeed = unchecked(seed + (ulong)k);
            var fuzzCase = Generate(caseSeed);
            if (Attempt(target, fuzzCase, stats) is { } problem)
            {
                var (shrunk, why) = Shrink(target, fuzzCase, problem);
                return new FuzzReport(seed, stats, clock.Elapsed, new FuzzFailure(caseSeed, fuzzCase, shrunk, why));
            }
        }

        return new FuzzReport(seed, stats, clock.Elapsed, null);
    }

    /// <summary>The target's verdict, an escaping exception counted as a failure; counts the case.</summary>
    public static string? Attempt(Func<FuzzCase, FuzzStatistics, string?> target, FuzzCase fuzzCase, FuzzStatistics stats)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(stats);
        stats.Cases++;
        try
        {
            return target(fuzzCase, stats);
        }
        catch (Exception e)
        {
            var frame = e.StackTrace?.Split('\n').FirstOrDefault()?.Trim() ?? "no stack";
            return $"unhandled {e.GetType().Name}: {e.Message} ({frame})";
        }
    }

    /// <summary>Drops actions, last first, while the case still fails; returns the smallest and its problem.</summary>
    private static (FuzzCase Case, string Problem) Shrink(Func<FuzzCase, FuzzStatistics, string?> target, FuzzCase fuzzCase, string problem)
    {
        var actions = fuzzCase.Actions.ToList();
        for (var i = actions.Count - 1; i >= 0 && actions.Count > 1; i--)
        {
            var without = new FuzzCase([.. actions.Take(i), .. actions.Skip(i + 1)]);
            if (Attempt(target, without, new FuzzStatistics()) is { } still)
            {
                actions.RemoveAt(i);
                problem = still;
            }
        }

        return (new FuzzCase(actions), problem);
    }
}
