using SmmuLab.Reporting;

namespace SmmuLab.Plots;

/// <summary>
/// What <c>compare --plot</c> draws, apart from the drawing: the operation kinds (the x axis) and,
/// per design, its commands, CMD_SYNCs and modeled SMMU time (µs) for each kind, in the same order.
/// </summary>
public sealed record ComparisonSeries(string Title, IReadOnlyList<string> Kinds, IReadOnlyList<DesignBars> Designs)
{
    /// <summary>The series of a comparison: every kind either design spent something on (<see cref="DesignComparison.Kinds"/>), designs in run order.</summary>
    public static ComparisonSeries From(DesignComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var kinds = comparison.Kinds();
        var designs = comparison.Runs.Select(run => new DesignBars(
            run.Design,
            [.. kinds.Select(k => (double)run.ByKind.GetValueOrDefault(k).Commands)],
            [.. kinds.Select(k => (double)run.ByKind.GetValueOrDefault(k).Syncs)],
            [.. kinds.Select(k => run.ByKind.GetValueOrDefault(k).ModeledNanoseconds / 1000)])).ToList();
        var scenario = comparison.Scenario;
        return new ComparisonSeries($"smmulab compare: {Path.GetFileName(scenario.Path)}", kinds, designs);
    }
}

/// <summary>One design's bars: a value per operation kind of <see cref="ComparisonSeries.Kinds"/>.</summary>
public sealed record DesignBars(string Design, IReadOnlyList<double> Commands, IReadOnlyList<double> Syncs, IReadOnlyList<double> ModeledMicroseconds);
