using System.Globalization;
using System.Text;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Replay.Engine;

namespace SmmuLab.Reporting.Replay;

/// <summary>
/// Replays one trace under the legacy and the Linux 7.1 invalidation designs and compares, per
/// operation, commands, CMD_SYNCs and modeled SMMU time, and per second of trace time the
/// commands, CMD_SYNCs, TLBIs, ATC_INVs and modeled time, with linux/legacy ratios.
/// </summary>
public sealed class ReplayComparison
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private ReplayComparison(IReadOnlyList<ReplayReport> runs) => Runs = runs;

    /// <summary>One report per design, in <see cref="InvalidationDesigns.Names"/> order (legacy, linux).</summary>
    public IReadOnlyList<ReplayReport> Runs { get; }

    /// <summary>Replays the input <paramref name="open"/> gives (opened once per design) on <paramref name="spec"/>.</summary>
    public static ReplayComparison Run(Func<TextReader> open, ReplayMachineSpec spec, ReplayOptions options, string source)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(options);
        var runs = new List<ReplayReport>();
        foreach (var design in InvalidationDesigns.Names)
        {
            using var reader = open();
            runs.Add(ReplayEngine.Run(reader, spec, options with { Design = design }, source));
        }

        return new ReplayComparison(runs);
    }

    /// <summary>The same on UTF-8 bytes (a trace file), opened once per design.</summary>
    public static ReplayComparison Run(Func<Stream> open, ReplayMachineSpec spec, ReplayOptions options, string source)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(options);
        var runs = new List<ReplayReport>();
        foreach (var design in InvalidationDesigns.Names)
        {
            using var stream = open();
            runs.Add(ReplayEngine.Run(stream, spec, options with { Design = design }, source));
        }

        return new ReplayComparison(runs);
    }

    /// <summary>The header, the table per operation (as <c>compare</c> prints), the table per second of trace, then the input's problems once.</summary>
    public string Format()
    {
        var legacy = Runs[0];
        var linux = Runs[1];
        var sb = new StringBuilder();
        ReplayReportText.Header(sb, linux);
        sb.AppendLine(Inv, $"mode {ReplayReportText.ModeName(linux.Mode)}; designs compared: {legacy.Design}, {linux.Design}");
        sb.AppendLine();
        sb.AppendLine("| operation | legacy cmds | legacy syncs | legacy time (us) | linux cmds | linux syncs | linux time (us) | cmds ratio | syncs ratio | time ratio |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var op in Enum.GetValues<ReplayOperation>())
        {
            var a = legacy.Cost(op);
            var b = linux.Cost(op);
            if (op != ReplayOperation.Setup && a.Commands == 0 && b.Commands == 0
                && ReplayReportText.Calls(legacy, op) == 0 && ReplayReportText.Calls(linux, op) == 0)
            {
                continue;
            }

            OperationRow(sb, ReplayReportText.OperationName(op), a, b);
        }

        OperationRow(sb, "total (setup excluded)", legacy.ReplayCost, linux.ReplayCost);
        sb.AppendLine();
        var secs = linux.DurationSeconds;
        sb.AppendLine("| per second of trace | legacy | linux | ratio |");
        sb.AppendLine("|---|---:|---:|---:|");
        RateRow(sb, "commands", legacy.ReplayCost.Commands, linux.ReplayCost.Commands, secs, "F1");
        RateRow(sb, "CMD_SYNC", legacy.ReplayCost.Syncs, linux.ReplayCost.Syncs, secs, "F1");
        RateRow(sb, "TLBI", legacy.ReplayCost.Tlbis, linux.ReplayCost.Tlbis, secs, "F1");
        RateRow(sb, "ATC_INV", legacy.ReplayCost.AtcInvs, linux.ReplayCost.AtcInvs, secs, "F1");
        RateRow(sb, "modeled SMMU time (us)", legacy.ReplayCost.ModeledNanoseconds / 1000, linux.ReplayCost.ModeledNanoseconds / 1000, secs, "F2");
        foreach (var run in Runs)
        {
            var c = run.Counters;
            sb.AppendLine();
            sb.AppendLine(Inv, $"{run.Design}: {c.AllMaps} maps, {c.AllUnmaps} unmaps replayed; {c.AllMatchingTrace} addresses matching the trace; "
                + $"{run.Problems.Total} events not replayed as they stand");
        }

        ReplayReportText.Problems(sb, linux);
        return sb.ToString();
    }

    private static void OperationRow(StringBuilder sb, string name, SmmuCost a, SmmuCost b) =>
        sb.AppendLine(Inv, $"| {name} | {a.Commands} | {a.Syncs} | {a.ModeledNanoseconds / 1000:F2} | {b.Commands} | {b.Syncs} | {b.ModeledNanoseconds / 1000:F2} | "
            + $"{Ratio(b.Commands, a.Commands)} | {Ratio(b.Syncs, a.Syncs)} | {Ratio(b.ModeledNanoseconds, a.ModeledNanoseconds)} |");

    private static void RateRow(StringBuilder sb, string name, double legacy, double linux, double secs, string format) =>
        sb.AppendLine(Inv, $"| {name} | {ReplayReportText.PerSecond(legacy, secs, format)} | {ReplayReportText.PerSecond(linux, secs, format)} | {Ratio(linux, legacy)} |");

    private static string Ratio(double linux, double legacy) =>
        legacy == 0 ? (linux == 0 ? "-" : "n/a") : (linux / legacy).ToString("F2", Inv);
}
