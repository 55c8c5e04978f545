using SmmuLab.Reporting;
using SmmuLab.Scenarios;

namespace SmmuLab.Plots.Tests;

/// <summary>What <c>compare --plot</c> draws: the series equal the comparison, and the picture is a PNG of the documented size.</summary>
public class ComparisonSeriesTests
{
    private static readonly Lazy<DesignComparison> Default = new(() =>
        DesignComparison.Run(ScenarioParser.LoadDefault(), s => new DriverScenarioMachine(s)));

    [Fact]
    public void The_series_hold_each_designs_cost_per_kind_in_the_comparisons_order()
    {
        var comparison = Default.Value;

        var series = ComparisonSeries.From(comparison);

        Assert.Equal(comparison.Kinds(), series.Kinds);
        Assert.Equal("setup", series.Kinds[0]);
        Assert.Equal(["legacy", "linux"], series.Designs.Select(d => d.Design));
        for (var d = 0; d < 2; d++)
        {
            var run = comparison.Runs[d];
            for (var k = 0; k < series.Kinds.Count; k++)
            {
                var cost = run.ByKind.GetValueOrDefault(series.Kinds[k]);
                Assert.Equal(cost.Commands, series.Designs[d].Commands[k]);
                Assert.Equal(cost.Syncs, series.Designs[d].Syncs[k]);
                Assert.Equal(cost.ModeledNanoseconds / 1000, series.Designs[d].ModeledMicroseconds[k], 9);
            }
        }

        Assert.Equal(
            comparison.Runs[1].ByKind.Values.Sum(c => c.Commands),
            series.Designs[1].Commands.Sum());
    }

    [Fact]
    public void Kinds_neither_design_spent_anything_on_are_not_drawn_and_unknown_kinds_follow_by_name()
    {
        var comparison = Default.Value;

        var kinds = comparison.Kinds();

        Assert.DoesNotContain("workload", kinds);
        Assert.Equal(kinds.Count, kinds.Distinct().Count());
        var known = kinds.Where(k => DesignComparison.KindOrder.Contains(k)).ToList();
        Assert.Equal(known.OrderBy(k => DesignComparison.KindOrder.ToList().IndexOf(k)), known);
    }

    [Fact]
    public void The_picture_is_a_png_of_the_documented_size()
    {
        var png = ComparisonPlot.Png(ComparisonSeries.From(Default.Value));

        Assert.Equal((ComparisonPlot.Width, ComparisonPlot.Height), PngFile.Size(png));
        Assert.True(png.Length > 20_000, $"{png.Length} bytes: too small for three panels of bars and labels");
    }
}
