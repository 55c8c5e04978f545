using System.Text;
using SmmuLab.Encoding;
using SmmuLab.Machines;

namespace SmmuLab.Reporting;

/// <summary>A <see cref="RunSummary"/> as text for a terminal.</summary>
public static class RunSummaryText
{
    /// <summary>The log lines, then the SMMU's counters: translations, TLB, commands by opcode, events by type, modeled time.</summary>
    public static string Format(this RunSummary summary)
    {
        var sb = new StringBuilder();
        foreach (var line in summary.Log)
        {
            sb.AppendLine(line);
        }

        sb.AppendLine();
        sb.AppendLine($"{summary.Smmu}: {summary.Translations} translations, {summary.AtsRequests} ATS translation requests, "
            + $"TLB {summary.TlbHits} hits / {summary.TlbMisses} misses, {summary.WalkSteps} walk steps, {summary.Faults} faults");
        var o = summary.Outcomes;
        if (o.Total == summary.Translations && o.Total != 0)
        {
            // The TLB's own counts are per lookup (ATS requests and the fast path's look-up before a walk included).
            sb.AppendLine($"  translations: {o.Total} = {o.FromTlb} from the TLB + {o.AfterWalk} after a table walk + {o.Bypassed} bypassed"
                + $" + {o.RazWi} RAZ/WI + {o.Aborted} aborted");
        }
        sb.AppendLine($"  commands consumed: {summary.CommandCount} ({summary.SyncCount} CMD_SYNC)");
        foreach (var (op, n) in summary.Commands)
        {
            sb.AppendLine($"    {OpcodeNames.SpecNameOrNumber(op),-22} {n,8}");
        }

        if (summary.ReservedBitCommands != 0)
        {
            sb.AppendLine($"  commands with reserved bits set (ignored, IHI0070 4.1.5): {summary.ReservedBitCommands}");
        }

        sb.AppendLine($"  events: {summary.Events.Sum(e => e.Count)}");
        foreach (var (id, n) in summary.Events)
        {
            sb.AppendLine($"    {id,-22} {n,8}");
        }

        sb.AppendLine($"  modeled hardware time: {summary.ModeledNanoseconds / 1000.0:F2} us");
        return sb.ToString();
    }
}
