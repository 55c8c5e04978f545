using ScottPlot;
using ScottPlot.TickGenerators;

namespace SmmuLab.Plots;

/// <summary>
/// <c>compare --plot</c>: three panels, one above the other (commands, CMD_SYNCs, modeled SMMU time in µs), each with
/// a group of bars per operation kind, one bar per design, the value written above each bar.
/// </summary>
public static class ComparisonPlot
{
    public const int Width = 1400;

    public const int Height = 1340;

    /// <summary>Colours of the designs, in run order (legacy, linux).</summary>
    private static readonly Color[] Palette = [new("#4e79a7"), new("#f28e2b"), new("#59a14f"), new("#e15759")];

    public static byte[] Png(ComparisonSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        Plot[] panels =
        [
            Panel(series, "Commands consumed", "commands", d => d.Commands, "F0"),
            Panel(series, "CMD_SYNCs", "CMD_SYNCs", d => d.Syncs, "F0"),
            Panel(series, "Modeled SMMU time", "modeled time (µs)", d => d.ModeledMicroseconds, "F2"),
        ];
        return PanelImage.Png(panels, Width, Height, series.Title, stacked: true);
    }

    private static Plot Panel(ComparisonSeries series, string title, string yLabel, Func<DesignBars, IReadOnlyList<double>> values, string format)
    {
        var plot = new Plot();
        var designs = series.Designs.Count;
        const double groupWidth = 0.8;
        var barWidth = groupWidth / Math.Max(designs, 1);
        var bars = new List<Bar>();
        for (var d = 0; d < designs; d++)
        {
            var v = values(series.Designs[d]);
            for (var k = 0; k < series.Kinds.Count; k++)
            {
                bars.Add(new Bar
                {
                    Position = k - (groupWidth / 2) + (barWidth * (d + 0.5)),
                    Value = v[k],
                    Size = barWidth * 0.95,
                    FillColor = Palette[d % Palette.Length],
                    Label = v[k].ToString(format, System.Globalization.CultureInfo.InvariantCulture),
                });
            }

            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series.Designs[d].Design, FillColor = Palette[d % Palette.Length] });
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.TickGenerator = new NumericManual([.. Enumerable.Range(0, series.Kinds.Count).Select(i => (double)i)], [.. series.Kinds]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plot.Axes.Left.TickLabelStyle.FontSize = 12;
        if (format == "F0")
        {
            // Counts: whole-number ticks only (no 0.5 CMD_SYNC).
            plot.Axes.Left.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        }

        plot.Title(title, size: 16);
        plot.XLabel("operation kind", size: 14);
        plot.YLabel(yLabel, size: 14);
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.HideGrid();
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
