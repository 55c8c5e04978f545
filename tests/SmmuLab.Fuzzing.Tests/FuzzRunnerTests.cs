namespace SmmuLab.Fuzzing.Tests;

/// <summary>The runner: budgets, failures shrunk to what still fails, exceptions as failures, seeds that rerun a case.</summary>
public class FuzzRunnerTests
{
    /// <summary>A broken target: any case with a transaction "fails".</summary>
    private static string? FailsOnDma(FuzzCase c, FuzzStatistics stats) => c.Actions.OfType<Transaction>().Any() ? "a transaction" : null;

    [Fact]
    public void A_clean_run_stops_at_its_case_budget_and_counts()
    {
        var report = FuzzRunner.Run(9, TimeSpan.FromMinutes(5), maxCases: 50, cancel: TestContext.Current.CancellationToken);

        Assert.Null(report.Failure);
        Assert.Equal(50L, report.Statistics.Cases);
        Assert.True(report.Statistics.Actions >= 50);
    }

    [Fact]
    public void A_failure_is_shrunk_to_the_action_that_fails_and_names_the_seed_that_reruns_it()
    {
        var report = FuzzRunner.Run(100, TimeSpan.FromMinutes(5), maxCases: 1000, FailsOnDma, TestContext.Current.CancellationToken);

        var f = Assert.IsType<FuzzFailure>(report.Failure);
        Assert.Equal("a transaction", f.Problem);
        Assert.IsType<Transaction>(Assert.Single(f.Shrunk.Actions));
        Assert.Equal(100UL + (ulong)report.Statistics.Cases - 1, f.CaseSeed);
        Assert.Equal(f.Case.ToString(), FuzzRunner.Generate(f.CaseSeed).ToString());

        var rerun = FuzzRunner.Run(f.CaseSeed, TimeSpan.FromMinutes(5), maxCases: 1, FailsOnDma, TestContext.Current.CancellationToken);
        Assert.Equal(f.CaseSeed, rerun.Failure?.CaseSeed);
    }

    [Fact]
    public void An_exception_from_the_target_is_a_failure_not_a_crash()
    {
        var report = FuzzRunner.Run(1, TimeSpan.FromMinutes(5), maxCases: 10, (_, _) => throw new InvalidOperationException("boom"),
            TestContext.Current.CancellationToken);

        Assert.StartsWith("unhandled InvalidOperationException: boom", report.Failure?.Problem, StringComparison.Ordinal);
    }
}
