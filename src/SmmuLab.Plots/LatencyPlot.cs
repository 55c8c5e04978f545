using ScottPlot;
using ScottPlot.TickGenerators;

namespace SmmuLab.Plots;

/// <summary>
/// <c>bench --plot</c>: a panel per operation (map, unmap) with one histogram per run (design and
/// mode), as steps over a logarithmic latency axis (ticks 100 ns, 1 µs, 10 µs, ...) and the share
/// of samples in each bucket (%) up the side.
/// </summary>
public static class LatencyPlot
{
    public const int Width = 1500;

    public const int Height = 560;

    private static readonly Color[] Palette = [new("#4e79a7"), new("#f28e2b"), new("#59a14f"), new("#e15759"), new("#b07aa1"), new("#76b7b2")];

    public static byte[] Png(LatencySeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var panels = LatencySeries.Operations.Select(op => Panel(series, op)).ToList();
        return PanelImage.Png(panels, Width, Height, series.Title);
    }

    private static Plot Panel(LatencySeries series, string operation)
    {
        var plot = new Plot();
        var curves = series.Curves.Where(c => c.Operation == operation).ToList();
        double min = double.MaxValue, max = double.MinValue;
        for (var i = 0; i < curves.Count; i++)
        {
            var c = curves[i];
            if (c.FromNs.Count == 0)
            {
                continue;
            }

            // Steps over log10(ns), from zero before the first bucket to zero after the last.
            var edges = c.FromNs.Select(x => Math.Log10(Math.Max(x, 1))).Append(Math.Log10(Math.Max(c.FromNs[^1] * 1.25, 2))).ToArray();
            double[] xs = [edges[0], .. edges, edges[^1]];
            double[] ys = [0, .. c.Percent, c.Percent[^1], 0];
            var line = plot.Add.Scatter(xs, ys, Palette[i % Palette.Length]);
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.LineWidth = 2;
            line.MarkerSize = 0;
            line.LegendText = c.Label;
            min = Math.Min(min, xs[0]);
            max = Math.Max(max, xs[^1]);
        }

        if (min <= max)
        {
            var ticks = new List<double>();
            var labels = new List<string>();
            for (var e = (int)Math.Floor(min); e <= (int)Math.Ceiling(max); e++)
            {
                ticks.Add(e);
                labels.Add(Duration(Math.Pow(10, e)));
            }

            plot.Axes.Bottom.TickGenerator = new NumericManual([.. ticks], [.. labels]);
        }

        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 12;
        plot.Title($"{operation} latency", size: 16);
        plot.XLabel($"{operation} latency (log scale; buckets 25 % wide)", size: 14);
        plot.YLabel("share of samples (%)", size: 14);
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>A tick label: <c>100 ns</c>, <c>1 µs</c>, <c>10 ms</c>.</summary>
    internal static string Duration(double nanoseconds) => nanoseconds switch
    {
        >= 1e9 => FormattableString.Invariant($"{nanoseconds / 1e9:0.###} s"),
        >= 1e6 => FormattableString.Invariant($"{nanoseconds / 1e6:0.###} ms"),
        >= 1e3 => FormattableString.Invariant($"{nanoseconds / 1e3:0.###} µs"),
        _ => FormattableString.Invariant($"{nanoseconds:0.###} ns"),
    };
}
