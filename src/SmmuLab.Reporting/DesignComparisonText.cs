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

        var diverged = comparison.DivergedAt;
        var alike = comparison.ExcludedSteps.Where(i => diverged is not { } d || i < d).ToList();
        if (alike.Count > 0)
        {
            text.Line();
            text.Line($"not compared (failed under both designs): steps {string.Join(", ", alike.Take(20).Select(i => $"#{i}"))}"
                + (alike.Count > 20 ? $" and {alike.Count - 20} more" : string.Empty));
        }

        if (diverged is { } at)
        {
            var rest = comparison.Scenario.Steps.Count - at;
            text.Line();
            text.Line($"not compared from step #{at} on ({rest} step{(rest == 1 ? string.Empty : "s")}): it {HowItEnded(comparison, at)}, "
                + "so from there the designs' machines hold different state and the same steps do unequal work");
        }

        return text;
    }

    /// <summary>"failed under legacy only", "failed under both designs, differently", "went unreported under linux".</summary>
    private static string HowItEnded(DesignComparison comparison, int index)
    {
        var failed = new List<string>();
        var missing = new List<string>();
        foreach (var run in comparison.Runs)
        {
            if (run.Report.Steps.FirstOrDefault(s => s.Index == index) is not { } step)
            {
                missing.Add(run.Design);
            }
            else if (!step.Passed)
            {
                failed.Add(run.Design);
            }
        }

        var parts = new List<string>();
        if (failed.Count > 0)
        {
            parts.Add(failed.Count == comparison.Runs.Count ? "failed under both designs, differently" : $"failed under {string.Join(" and ", failed)} only");
        }

        if (missing.Count > 0)
        {
            parts.Add($"went unreported under {string.Join(" and ", missing)}");
        }

        return string.Join(" and ", parts);
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
