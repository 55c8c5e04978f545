using System.Globalization;
using System.Text;
using SmmuLab.Verification.Stress;

namespace SmmuLab.Reporting;

/// <summary>The text <c>smmulab check</c> prints for a <see cref="StressReport"/>.</summary>
public static class StressReportText
{
    /// <summary>
    /// The header, a line per phase, every violation kept and every failure, the verdict and, when
    /// something was found, the command line that reruns it (<paramref name="rerun"/> gets the seed
    /// and whether it was a randomized exploration, and returns the arguments;
    /// <paramref name="rerunSystematic"/> gets the seed of a run whose systematic exploration found a bug).
    /// </summary>
    public static string Format(this StressReport report, string design, Func<int, bool, string> rerun, Func<int, string>? rerunSystematic = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(rerun);
        var sb = new StringBuilder();
        var o = report.Options;
        if (report.Stress is null && report.Explore is null)
        {
            // Only the systematic explorations ran: they have machines of their own.
            sb.AppendLine(Invariant($"check: seed {o.Seed}"));
        }
        else
        {
            sb.AppendLine(Invariant($"check: design {design}, seed {o.Seed}, threads {o.Threads} map/unmap/DMA + attach/detach + ATS on/off"));
            sb.AppendLine($"machine: {report.Machine}");
        }

        if (report.Stress is { } s)
        {
            var seconds = Math.Max(s.Elapsed.TotalSeconds, 1e-9);
            sb.AppendLine(Invariant($"stress: {s.Elapsed.TotalSeconds:F1} s, DMAs checked {s.DmaPagesChecked} ({s.DmaPagesChecked / seconds:F0}/s) of {s.Counters.Dmas} issued, ") +
                Counts(s.Counters) + "; interleavings: one free-running schedule of real threads (not counted)");
        }

        if (report.Explore is { } e)
        {
            sb.AppendLine(Invariant($"explore-random: {e.Schedules} randomized schedules x {o.ExploreRounds} rounds per thread, {e.Elapsed.TotalSeconds:F1} s, ") +
                Invariant($"DMAs checked {e.DmaPagesChecked} of {e.Counters.Dmas} issued, ") + Counts(e.Counters) +
                Invariant($"; {e.OrderingPoints} driver ordering points met, {e.Perturbed} perturbed (yield, spin or sleep)"));
            sb.AppendLine("  (real threads with seeded random delays at the ordering points: randomized; the interleavings are the operating system's)");
        }

        if (report.Systematic is { } x)
        {
            FormatSystematic(sb, x);
        }

        var shown = 0;
        foreach (var v in report.Violations)
        {
            shown++;
            sb.AppendLine(Invariant($"violation {shown} ({PhaseName(v.Phase)}{(v.Phase == "explore" ? $" schedule {v.Schedule}" : string.Empty)}, seed {v.Seed}):"));
            sb.Append(v.Violation.Format("  "));
        }

        foreach (var f in report.Failures)
        {
            sb.AppendLine($"failure: {f}");
        }

        sb.AppendLine(report.Clean
            ? "result: no violation"
            : Invariant($"result: {report.Violations.Count} violation(s){(report.Violations.Count >= 16 ? " (first 16 kept)" : string.Empty)}, {report.Failures.Count} failure(s)")
                + (report.Systematic is { Bugs: > 0 } b ? Invariant($", {b.Bugs} bug(s) in the systematic exploration") : string.Empty));
        if (report.Reproduce(rerun, rerunSystematic) is { } arguments)
        {
            sb.AppendLine($"reproduce: smmulab check {arguments}");
        }

        return sb.ToString();
    }

    /// <summary>
    /// The arguments of the <c>smmulab check</c> line that reruns the first thing found (the first
    /// violation's schedule, else the run's own seed), from <paramref name="rerun"/>; null when the run was clean.
    /// A bug of the systematic exploration is rerun by <paramref name="rerunSystematic"/> (given the
    /// run's seed), or, when that is null, like a failure.
    /// </summary>
    public static string? Reproduce(this StressReport report, Func<int, bool, string> rerun, Func<int, string>? rerunSystematic = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(rerun);
        if (report.Clean)
        {
            return null;
        }

        if (report.Violations.Count > 0)
        {
            return rerun(report.Violations[0].Seed, report.Violations[0].Phase == "explore");
        }

        return report.Failures.Count == 0 && rerunSystematic is not null
            ? rerunSystematic(report.Options.Seed)
            : rerun(report.Options.Seed, report.Stress is null);
    }

    /// <summary>
    /// The systematic phase: one line for all, one per exploration, and under an exploration that
    /// found a bug, Coyote's report of it, indented.
    /// </summary>
    private static void FormatSystematic(StringBuilder sb, SystematicPhase x)
    {
        sb.AppendLine(Invariant($"explore: systematic (Coyote), {x.Explorations.Count} explorations x up to {x.Iterations} schedules, {x.Elapsed.TotalSeconds:F1} s: ") +
            Invariant($"{x.Schedules} interleavings explored, {x.Steps} scheduling steps, {x.Bugs} bug(s)"));
        var width = x.Explorations.Count == 0 ? 0 : x.Explorations.Max(e => e.Name.Length);
        foreach (var e in x.Explorations)
        {
            sb.AppendLine(Invariant($"  {(e.Name + ":").PadRight(width + 1)} {e.Schedules} schedules, {e.Steps} scheduling steps, {e.Bugs} bug(s), {e.Elapsed.TotalSeconds:F1} s"));
            if (e.FirstBug is { } bug)
            {
                foreach (var line in bug.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    sb.AppendLine($"    {line.TrimEnd()}");
                }
            }
        }
    }

    /// <summary>The text's name of a phase of <see cref="StressCheck"/>: its explore phase is <c>--explore-random</c>'s.</summary>
    private static string PhaseName(string phase) => phase == "explore" ? "explore-random" : phase;

    private static string Counts(StressCounters c) =>
        Invariant($"{c.Maps} maps, {c.Unmaps} unmaps, {c.Attaches} attach/detach, {c.AtsCycles} ATS cycles, {c.Probes} probes that must fault");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
