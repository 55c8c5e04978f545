using SmmuLab.Driver.Invalidation;
using SmmuLab.TestSupport.Designs;
using SmmuLab.Verification.Stress;

namespace SmmuLab.Verification.Tests.Stress;

/// <summary>The stress engine of <c>smmulab check</c>: clean on both designs, catches a broken one, explores.</summary>
public class StressCheckTests
{
    private static readonly StressOptions Bounded = new()
    {
        Threads = 2,
        Duration = TimeSpan.FromMinutes(10), // bounded by rounds, not time
        MaxRoundsPerThread = 150,
        Seed = 7,
    };

    [Theory]
    [InlineData(InvalidationDesigns.Linux)]
    [InlineData(InvalidationDesigns.Legacy)]
    public void Both_designs_survive_the_stress_with_the_oracle_clean(string design)
    {
        var report = StressCheck.Run(w => StressRig.Default(InvalidationDesigns.Create(design, w), w), Bounded, TestContext.Current.CancellationToken);

        Assert.True(report.Clean, string.Join("; ", report.Failures.Concat(report.Violations.Select(v => v.Violation.ToString()))));
        var stress = Assert.IsType<StressPhase>(report.Stress);
        Assert.Null(report.Explore);
        Assert.Equal(150L * 4, stress.Counters.Rounds); // 2 map/unmap/DMA threads, attach/detach, ATS
        Assert.Equal(150L, stress.Counters.Attaches);
        Assert.Equal(150L, stress.Counters.AtsCycles);
        Assert.True(stress.Counters.Maps > 0 && stress.Counters.Unmaps > 0);
        Assert.True(stress.DmaPagesChecked > 0);
        Assert.Contains("check-ats (ATS on/off)", report.Machine);
    }

    [Fact]
    public void A_design_that_skips_leaf_invalidation_is_caught_as_a_stale_translation()
    {
        var report = StressCheck.Run(w => StressRig.Default(new SkipLeafInvalidation(InvalidationDesigns.Create("linux", w)), w), Bounded, TestContext.Current.CancellationToken);

        Assert.False(report.Clean);
        var first = report.Violations[0];
        Assert.Equal(("stress", 7), (first.Phase, first.Seed));
        Assert.Equal(ViolationKind.Stale, first.Violation.Kind);
        Assert.Empty(report.Failures);
    }

    [Fact]
    public void Explorations_run_fresh_machines_and_perturb_the_driver_ordering_points()
    {
        var report = StressCheck.Run(w => StressRig.Default(InvalidationDesigns.Create("linux", w), w),
            Bounded with { Duration = TimeSpan.Zero, Explorations = 6, ExploreRounds = 3 }, TestContext.Current.CancellationToken);

        Assert.True(report.Clean, string.Join("; ", report.Failures));
        Assert.Null(report.Stress);
        var explore = Assert.IsType<StressPhase>(report.Explore);
        Assert.Equal(6, explore.Schedules);
        Assert.Equal(6L * 3 * 4, explore.Counters.Rounds);
        Assert.True(explore.OrderingPoints > 0);
        Assert.InRange(explore.Perturbed, 1, explore.OrderingPoints);
    }

    [Fact]
    public void An_exploration_stops_at_the_first_violation_and_names_its_seed()
    {
        var report = StressCheck.Run(w => StressRig.Default(new SkipLeafInvalidation(InvalidationDesigns.Create("linux", w)), w),
            Bounded with { Duration = TimeSpan.Zero, Explorations = 50, ExploreRounds = 40 }, TestContext.Current.CancellationToken);

        var explore = Assert.IsType<StressPhase>(report.Explore);
        var first = report.Violations[0];
        Assert.Equal("explore", first.Phase);
        Assert.Equal(7 + first.Schedule, first.Seed);
        Assert.Equal(first.Schedule + 1, explore.Schedules);
    }

    [Theory]
    [InlineData(0, 1, 0, "threads")]
    [InlineData(65, 1, 0, "threads")]
    [InlineData(2, -1, 0, "seconds")]
    [InlineData(2, 0, 0, "nothing to do")]
    [InlineData(2, 1, -1, "explorations")]
    public void Bad_options_are_named(int threads, int seconds, int explore, string problem)
    {
        var options = new StressOptions { Threads = threads, Duration = TimeSpan.FromSeconds(seconds), Explorations = explore };
        Assert.Contains(problem, options.Problem());
        Assert.Throws<ArgumentException>(() => StressCheck.Run(w => StressRig.Default(InvalidationDesigns.Create("linux", w), w), options, TestContext.Current.CancellationToken));
    }
}
