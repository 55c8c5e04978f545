using System.Globalization;
using SmmuLab.Reporting.Tables;

namespace SmmuLab.Reporting;

/// <summary>The text <c>smmulab compare</c> prints for a <see cref="DesignComparison"/>.</summary>
public static class DesignComparisonText
{
    /// <summary>The operation kinds the table has a row for (when either design spent something on them), in order; then <c>total</c>.</summary>
    private static readonly string[] TableKinds = ["setup", "attach", "detach", "map", "unmap", "flush", "dma"];

    /// <summary>
    /// The scenario, the table (a Markdown table in plain text, padded to fixed columns; a bordered
    /// table on a terminal), then each design's passed and failed steps and the steps left out.
    /// </summary>
    public static TextReport ToTextReport(this DesignComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var scenario = comparison.Scenario;
        var legacy = comparison.Runs[0];
        var linux = comparison.Runs[1];
        var kinds = TableKinds.Where(k => legacy.ByKind.ContainsKey(k) || linux.ByKind.ContainsKey(k)).ToList();
        var text = new TextReport();
        text.Line($"scenario: {scenario.Path}{(scenario.Description is { } d ? $" ({d})" : string.Empty)}");
        text.Line();
        var table = new TextTable(new TableColumn("operation"),
            TableColumn.Number("legacy cmds"), TableColumn.Number("legacy syncs"), TableColumn.Number("legacy time (us)"),
            TableColumn.Number("linux cmds"), TableColumn.Number("linux syncs"), TableColumn.Number("linux time (us)"),
            TableColumn.Number("cmds ratio"), TableColumn.Number("syncs ratio"), TableColumn.Number("time ratio"))
        {
            Style = PlainTableStyle.Markdown,
        };
        foreach (var k in kinds)
        {
            Row(table, k, legacy.ByKind.GetValueOrDefault(k), linux.ByKind.GetValueOrDefault(k), footer: false);
        }

        Row(table, "total", Total(legacy, kinds), Total(linux, kinds), footer: true);
        text.Table(table);
        foreach (var run in comparison.Runs)
        {
            text.Line();
            text.Line($"{run.Design}: {run.Report.Passed} steps passed, {run.Report.Failed} failed");
            foreach (var f in run.Report.Failures)
            {
                text.Line($"  {run.Design} step #{f.Index} line {f.Line}: {f.Outcome}");
            }
        }

        var excluded = comparison.ExcludedSteps;
        if (excluded.Count > 0)
        {
            text.Line();
            text.Line($"not compared (failed under a design, so the designs did unequal work): steps {string.Join(", ", excluded.Take(20).Select(i => $"#{i}"))}"
                + (excluded.Count > 20 ? $" and {excluded.Count - 20} more" : string.Empty));
        }

        return text;
    }

    private static void Row(TextTable table, string kind, StepCost a, StepCost b, bool footer)
    {
        string[] cells =
        [
            kind, Invariant($"{a.Commands}"), Invariant($"{a.Syncs}"), Invariant($"{a.ModeledNanoseconds / 1000:F2}"),
            Invariant($"{b.Commands}"), Invariant($"{b.Syncs}"), Invariant($"{b.ModeledNanoseconds / 1000:F2}"),
            Ratio(b.Commands, a.Commands), Ratio(b.Syncs, a.Syncs), Ratio(b.ModeledNanoseconds, a.ModeledNanoseconds),
        ];
        _ = footer ? table.AddFooter(cells) : table.AddRow(cells);
    }

    private static StepCost Total(DesignRun run, IEnumerable<string> kinds) =>
        kinds.Aggregate(default(StepCost), (s, k) =>
        {
            var c = run.ByKind.GetValueOrDefault(k);
            return new StepCost(s.Commands + c.Commands, s.Syncs + c.Syncs, s.ModeledNanoseconds + c.ModeledNanoseconds);
        });

    private static string Ratio(double linux, double legacy) => legacy == 0 ? (linux == 0 ? "-" : "n/a") : Invariant($"{linux / legacy:F2}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
