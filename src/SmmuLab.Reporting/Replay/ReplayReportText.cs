using System.Globalization;
using System.Text;
using SmmuLab.Replay.Diagnostics;
using SmmuLab.Replay.Engine;

namespace SmmuLab.Reporting.Replay;

/// <summary>A <see cref="ReplayReport"/> as text for a terminal.</summary>
public static class ReplayReportText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// The header (input, machine, design, mode, CPUs), the trace, the devices, what happened to
    /// each kind of event, the flush queue, the invalidation cost in total and per second of trace
    /// time, the cost by operation, then every replay problem and input problem with sample lines.
    /// </summary>
    public static string Format(this ReplayReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder();
        Header(sb, r);
        sb.AppendLine(Inv, $"design {r.Design}, mode {ModeName(r.Mode)}");
        Events(sb, r);
        sb.AppendLine();
        CostTable(sb, r);
        sb.AppendLine();
        OperationTable(sb, r);
        Problems(sb, r);
        return sb.ToString();
    }

    /// <summary>"strict" or "deferred".</summary>
    public static string ModeName(ReplayMode mode) => mode == ReplayMode.Deferred ? "deferred" : "strict";

    /// <summary>The report's name for an operation (a row of the cost tables).</summary>
    public static string OperationName(ReplayOperation op) => op switch
    {
        ReplayOperation.Setup => "setup",
        ReplayOperation.Map => "map",
        ReplayOperation.Unmap => "unmap",
        ReplayOperation.MapSg => "map_sg",
        ReplayOperation.UnmapSg => "unmap_sg",
        ReplayOperation.Alloc => "alloc",
        ReplayOperation.Free => "free",
        ReplayOperation.IommuMap => "iommu map",
        ReplayOperation.IommuUnmap => "iommu unmap",
        _ => "timer flush",
    };

    /// <summary>How many times an operation ran (the timer: its flushes).</summary>
    public static long Calls(ReplayReport r, ReplayOperation op)
    {
        ArgumentNullException.ThrowIfNull(r);
        var c = r.Counters;
        return op switch
        {
            ReplayOperation.Map => c.Maps,
            ReplayOperation.Unmap => c.Unmaps,
            ReplayOperation.MapSg => c.SgMaps,
            ReplayOperation.UnmapSg => c.SgUnmaps,
            ReplayOperation.Alloc => c.Allocs,
            ReplayOperation.Free => c.Frees,
            ReplayOperation.IommuMap => c.IommuMapsApplied,
            ReplayOperation.IommuUnmap => c.IommuUnmapsApplied,
            ReplayOperation.Timer => r.DmaDomains.Sum(d => d.Statistics.TimeoutFlushes),
            _ => 0,
        };
    }

    /// <summary>The first lines shared by a report and a comparison: input, machine, CPUs, trace time, devices.</summary>
    internal static void Header(StringBuilder sb, ReplayReport r)
    {
        var d = r.Diagnostics;
        sb.AppendLine(Inv, $"replay: {r.Source} on machine {r.Machine} ({r.CpuCount} CPUs, {CpuSource(r.CpuCountSource)})");
        sb.Append(Inv, $"trace: {d.Lines} lines, {d.Events} events");
        if (r.FirstTimestamp.Unit != SmmuLab.Replay.Parsing.TimestampUnit.None)
        {
            sb.Append(Inv, $", {r.DurationSeconds:F6} s of trace time ({r.FirstTimestamp} to {r.LastTimestamp})");
        }

        sb.AppendLine(Inv, $", {d.NotUnderstood} lines not understood");
        sb.AppendLine(Inv, $"devices: {(r.Devices.Count == 0 ? "none" : string.Join(", ", r.Devices))}");
        if (r.CreatedDevices.Count > 0)
        {
            sb.AppendLine(Inv, $"  created {r.CreatedDevices.Count} device{(r.CreatedDevices.Count == 1 ? "" : "s")} with a stage-1 domain each: {string.Join(", ", r.CreatedDevices)}");
        }

        foreach (var note in r.Notes)
        {
            sb.AppendLine(Inv, $"  {note}");
        }
    }

    /// <summary>Problems of the replay, then of the input, each with its sample lines.</summary>
    internal static void Problems(StringBuilder sb, ReplayReport r)
    {
        if (r.Problems.Total > 0)
        {
            sb.AppendLine();
            sb.AppendLine(Inv, $"events not replayed as they stand: {r.Problems.Total}");
            foreach (var p in Enum.GetValues<ReplayProblem>())
            {
                var n = r.Problems.Count(p);
                if (n == 0)
                {
                    continue;
                }

                sb.AppendLine(Inv, $"  {p}: {n}");
                foreach (var s in r.Problems.Samples(p))
                {
                    sb.AppendLine(Inv, $"    line {s.LineNumber} ({s.Detail}): {s.Text}");
                }
            }
        }

        var d = r.Diagnostics;
        if (d.NotUnderstood > 0 || d.LostEventLines > 0 || d.UnterminatedLastLine)
        {
            sb.AppendLine();
            sb.Append("input: ").Append(d.Summarize());
        }

        if (r.End == ReplayEnd.Truncated)
        {
            var cut = d.Samples(TraceProblem.TruncatedLine).FirstOrDefault();
            sb.AppendLine();
            sb.AppendLine(Inv, $"the trace is truncated: line {cut.LineNumber} was cut; the result covers the lines before it");
        }
        else if (r.End == ReplayEnd.ReadError)
        {
            sb.AppendLine();
            sb.AppendLine(Inv, $"reading stopped after line {d.Lines}: {r.ReadError}; the result covers the lines read");
        }
    }

    private static string CpuSource(string source) => source switch
    {
        "option" => "from --cpus",
        "header" => "from the trace's header",
        _ => "the trace's header gives no count",
    };

    private static void Events(StringBuilder sb, ReplayReport r)
    {
        var c = r.Counters;
        var coherentUnmaps = c.Frees;
        sb.AppendLine(Inv, $"DMA API: {c.AllMaps} maps ({c.Maps} single, {c.SgMaps} sg, {c.Allocs} coherent), "
            + $"{c.AllUnmaps} unmaps ({c.Unmaps} single, {c.SgUnmaps} sg, {coherentUnmaps} coherent), {Bytes(c.BytesMapped)} mapped");
        sb.AppendLine(Inv, $"  addresses matching the trace: {c.AllMatchingTrace} of {c.AllMaps}{Percent(c.AllMatchingTrace, c.AllMaps)} "
            + $"(single {c.MapsMatchingTrace}/{c.Maps}, sg {c.SgMapsMatchingTrace}/{c.SgMaps}, coherent {c.AllocsMatchingTrace}/{c.Allocs})");
        sb.AppendLine(Inv, $"  not replayed: {c.FailedInTrace} failed in the trace, {c.Syncs} dma_sync (CPU cache maintenance), {c.NoOps} NULL frees");
        sb.AppendLine(Inv, $"iommu: {c.IommuMaps} maps, {c.IommuUnmaps} unmaps: {c.IommuClaimed} checked inside their DMA-API call "
            + $"({c.IommuInconsistent} inconsistent), applied on their own {c.IommuMapsApplied} maps and {c.IommuUnmapsApplied} unmaps, "
            + $"{c.IommuUnmapsOfDmaMappings} unmaps of DMA-API mappings not applied, {c.IommuUnattributed} unattributed");
        if (c.IommuMaps + c.IommuUnmaps > 0 && c.CallsWithoutIommuEvents > 0)
        {
            sb.AppendLine(Inv, $"  DMA-API calls without their iommu events: {c.CallsWithoutIommuEvents}");
        }

        var d = r.Diagnostics;
        sb.AppendLine(Inv, $"other events: {c.PageFaults} io_page_fault, {c.Attaches} attach_device_to_domain, {c.Detaches} detach_device_from_domain, "
            + $"{c.GroupEvents} group; lost: {d.LostEventLines} lines ({d.LostEvents} events)");
        if (c.FoldedCpuEvents > 0 || c.TimestampsBackwards > 0)
        {
            sb.AppendLine(Inv, $"  {c.FoldedCpuEvents} events on CPUs beyond {r.CpuCount} folded, {c.TimestampsBackwards} timestamps earlier than the one before");
        }

        var s = r.DmaDomains.Select(x => x.Statistics).ToList();
        sb.AppendLine(Inv, $"flush queue: {s.Sum(x => x.Flushes)} flushes ({s.Sum(x => x.FullFlushes)} ring full, {s.Sum(x => x.TimeoutFlushes)} timer), "
            + $"{s.Sum(x => x.QueueDepth)} entries left queued, {s.Sum(x => x.EntriesLost)} lost to overruns");
        var allocations = s.Sum(x => x.IovaAllocations);
        sb.AppendLine(Inv, $"IOVA: {allocations} allocations, {s.Sum(x => x.RcacheHits)} from the range cache{Percent(s.Sum(x => x.RcacheHits), allocations)}; "
            + $"{s.Sum(x => x.UnmapWarnings)} unmap warnings");
    }

    private static void CostTable(StringBuilder sb, ReplayReport r)
    {
        var t = r.ReplayCost;
        var secs = r.DurationSeconds;
        sb.AppendLine("invalidation cost of the replay (setup excluded):");
        sb.AppendLine();
        sb.AppendLine("| | total | per second of trace |");
        sb.AppendLine("|---|---:|---:|");
        Row(sb, "commands", t.Commands, secs);
        Row(sb, "CMD_SYNC", t.Syncs, secs);
        Row(sb, "TLBI", t.Tlbis, secs);
        Row(sb, "ATC_INV", t.AtcInvs, secs);
        sb.AppendLine(Inv, $"| modeled SMMU time (us) | {t.ModeledNanoseconds / 1000:F2} | {PerSecond(t.ModeledNanoseconds / 1000, secs, "F2")} |");
    }

    private static void Row(StringBuilder sb, string name, long total, double secs) =>
        sb.AppendLine(Inv, $"| {name} | {total} | {PerSecond(total, secs, "F1")} |");

    private static void OperationTable(StringBuilder sb, ReplayReport r)
    {
        sb.AppendLine("by operation:");
        sb.AppendLine();
        sb.AppendLine("| operation | calls | commands | CMD_SYNCs | TLBIs | ATC_INVs | modeled time (us) |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var op in Enum.GetValues<ReplayOperation>())
        {
            if (op == ReplayOperation.Setup)
            {
                continue;
            }

            var cost = r.Cost(op);
            var calls = Calls(r, op);
            if (calls == 0 && cost.Commands == 0)
            {
                continue;
            }

            sb.AppendLine(Inv, $"| {OperationName(op)} | {calls} | {cost.Commands} | {cost.Syncs} | {cost.Tlbis} | {cost.AtcInvs} | {cost.ModeledNanoseconds / 1000:F2} |");
        }

        var t = r.ReplayCost;
        sb.AppendLine(Inv, $"| total | | {t.Commands} | {t.Syncs} | {t.Tlbis} | {t.AtcInvs} | {t.ModeledNanoseconds / 1000:F2} |");
        var setup = r.Cost(ReplayOperation.Setup);
        sb.AppendLine(Inv, $"| (setup) | | {setup.Commands} | {setup.Syncs} | {setup.Tlbis} | {setup.AtcInvs} | {setup.ModeledNanoseconds / 1000:F2} |");
    }

    /// <summary>A value per second of trace time, or "-" when the trace covers no time.</summary>
    internal static string PerSecond(double value, double seconds, string format) =>
        seconds > 0 ? (value / seconds).ToString(format, Inv) : "-";

    private static string Percent(long part, long whole) =>
        whole == 0 ? string.Empty : string.Create(Inv, $" ({100.0 * part / whole:F1}%)");

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(Inv, $"{bytes / (double)(1L << 30):F2} GiB"),
        >= 1L << 20 => string.Create(Inv, $"{bytes / (double)(1L << 20):F2} MiB"),
        >= 1L << 10 => string.Create(Inv, $"{bytes / 1024.0:F2} KiB"),
        _ => string.Create(Inv, $"{bytes} bytes"),
    };
}
