using SmmuLab.Encoding;
using SmmuLab.Machines;
using SmmuLab.Reporting.Tables;

namespace SmmuLab.Reporting;

/// <summary>A <see cref="RunSummary"/> as text for a terminal.</summary>
public static class RunSummaryText
{
    /// <summary>The log lines, then the SMMU's counters: translations, TLB, commands by opcode (and queue), events by type, modeled time.</summary>
    public static string Format(this RunSummary summary) => summary.ToTextReport().ToPlainText();

    /// <summary>What <see cref="Format"/> prints, as lines and tables.</summary>
    public static TextReport ToTextReport(this RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var report = new TextReport();
        foreach (var line in summary.Log)
        {
            report.Line(line);
        }

        report.Line();
        report.Line($"{summary.Smmu}: {summary.Translations} translations, {summary.AtsRequests} ATS translation requests, "
            + $"TLB {summary.TlbHits} hits / {summary.TlbMisses} misses, {summary.WalkSteps} walk steps, {summary.Faults} faults");
        var o = summary.Outcomes;
        if (o.Total == summary.Translations && o.Total != 0)
        {
            // The TLB's own counts are per lookup (ATS requests and the fast path's look-up before a walk included).
            report.Line($"  translations: {o.Total} = {o.FromTlb} from the TLB + {o.AfterWalk} after a table walk + {o.Bypassed} bypassed"
                + $" + {o.RazWi} RAZ/WI + {o.Aborted} aborted");
        }

        if (summary.HasVcmdqs)
        {
            report.Line($"  commands consumed: {summary.CommandCount} ({summary.SyncCount} CMD_SYNC) = {summary.CmdqCommandCount} on the main CMDQ"
                + $" + {summary.VcmdqCommandCount} on VCMDQs");
            report.Table(QueueTable(summary));
        }
        else
        {
            report.Line($"  commands consumed: {summary.CommandCount} ({summary.SyncCount} CMD_SYNC)");
            var opcodes = new TextTable(new TableColumn("opcode"), TableColumn.Number("count")) { ShowHeader = false, Indent = "    " };
            foreach (var (op, n) in summary.Commands)
            {
                opcodes.AddRow(OpcodeNames.SpecNameOrNumber(op), Count(n));
            }

            report.Table(opcodes);
        }

        if (summary.AllReservedBitCommands != 0)
        {
            report.Line($"  commands with reserved bits set (ignored, IHI0070 4.1.5): {summary.AllReservedBitCommands}");
        }

        report.Line($"  events: {summary.Events.Sum(e => e.Count)}");
        var events = new TextTable(new TableColumn("event"), TableColumn.Number("count")) { ShowHeader = false, Indent = "    " };
        foreach (var (id, n) in summary.Events)
        {
            events.AddRow(id.ToString(), Count(n));
        }

        report.Table(events);
        report.Line($"  modeled hardware time: {summary.ModeledNanoseconds / 1000.0:F2} us");
        return report;
    }

    /// <summary>
    /// Commands by opcode and queue: the main CMDQ, each VCMDQ that consumed any, and all queues;
    /// the total row adds up each column, so the last cell is <see cref="RunSummary.CommandCount"/>.
    /// </summary>
    private static TextTable QueueTable(RunSummary summary)
    {
        var queues = summary.Vcmdqs.Where(q => q.CommandCount != 0).Prepend(summary.Cmdq).ToList();
        var table = new TextTable([new TableColumn("opcode"), .. queues.Select(q => TableColumn.Number(q.Queue)), TableColumn.Number("all queues")])
        {
            Indent = "    ",
        };
        foreach (var (op, n) in summary.AllCommands)
        {
            table.AddRow([OpcodeNames.SpecNameOrNumber(op), .. queues.Select(q => Count(q.Commands.Where(c => c.Opcode == op).Sum(c => c.Count))), Count(n)]);
        }

        table.AddFooter(["total", .. queues.Select(q => Count(q.CommandCount)), Count(summary.CommandCount)]);
        if (summary.AllReservedBitCommands != 0)
        {
            table.AddFooter(["reserved bits set", .. queues.Select(q => Count(q.ReservedBitCommands)), Count(summary.AllReservedBitCommands)]);
        }

        return table;
    }

    private static string Count(long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
