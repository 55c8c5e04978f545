using System.Globalization;
using System.Text;
using SmmuLab.Verification.Stress;

namespace SmmuLab.Reporting;

/// <summary>The text <c>smmulab check</c> prints for a <see cref="StressReport"/>.</summary>
public static class StressReportText
{
    /// <summary>The systematic exploration, for the note the explore line ends with.</summary>
    public const string CoyoteCommand = "SMMULAB_COYOTE_ITERATIONS=N dotnet test tests/SmmuLab.Concurrency.Tests";

    /// <summary>
    /// The header, a line per phase, every violation kept and every failure, the verdict and, when
    /// something was found, the command line that reruns it (<paramref name="rerun"/> gets the seed
    /// and whether it was an exploration, and returns the arguments).
    /// </summary>
    public static string Format(this StressReport report, string design, Func<int, bool, string> rerun)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(rerun);
        var sb = new StringBuilder();
        var o = report.Options;
        sb.AppendLine(Invariant($"check: design {design}, seed {o.Seed}, threads {o.Threads} map/unmap/DMA + attach/detach + ATS on/off"));
        sb.AppendLine($"machine: {report.Machine}");
        if (report.Stress is { } s)
        {
            var seconds = Math.Max(s.Elapsed.TotalSeconds, 1e-9);
            sb.AppendLine(Invariant($"stress: {s.Elapsed.TotalSeconds:F1} s, DMAs checked {s.DmaPagesChecked} ({s.DmaPagesChecked / seconds:F0}/s) of {s.Counters.Dmas} issued, ") +
                Counts(s.Counters) + "; interleavings: one free-running schedule of real threads (not counted)");
        }

        if (report.Explore is { } e)
        {
            sb.AppendLine(Invariant($"explore: {e.Schedules} randomized schedules x {o.ExploreRounds} rounds per thread, {e.Elapsed.TotalSeconds:F1} s, ") +
                Invariant($"DMAs checked {e.DmaPagesChecked} of {e.Counters.Dmas} issued, ") + Counts(e.Counters) +
                Invariant($"; {e.OrderingPoints} driver ordering points met, {e.Perturbed} perturbed (yield, spin or sleep)"));
            sb.AppendLine($"  (real threads with seeded random delays at the ordering points: randomized, not systematic; the systematic Coyote exploration is {CoyoteCommand})");
        }

        var shown = 0;
        foreach (var v in report.Violations)
        {
            shown++;
            sb.AppendLine(Invariant($"violation {shown} ({v.Phase}{(v.Phase == "explore" ? $" schedule {v.Schedule}" : string.Empty)}, seed {v.Seed}):"));
            sb.Append(v.Violation.Format("  "));
        }

        foreach (var f in report.Failures)
        {
            sb.AppendLine($"failure: {f}");
        }

        sb.AppendLine(report.Clean
            ? "result: no violation"
            : Invariant($"result: {report.Violations.Count} violation(s){(report.Violations.Count >= 16 ? " (first 16 kept)" : string.Empty)}, {report.Failures.Count} failure(s)"));
        if (report.Reproduce(rerun) is { } arguments)
        {
            sb.AppendLine($"reproduce: smmulab check {arguments}");
        }

        return sb.ToString();
    }

    /// <summary>
    /// The arguments of the <c>smmulab check</c> line that reruns the first thing found (the first
    /// violation's schedule, else the run's own seed), from <paramref name="rerun"/>; null when the run was clean.
    /// </summary>
    public static string? Reproduce(this StressReport report, Func<int, bool, string> rerun)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(rerun);
        if (report.Clean)
        {
            return null;
        }

        return report.Violations.Count > 0
            ? rerun(report.Violations[0].Seed, report.Violations[0].Phase == "explore")
            : rerun(report.Options.Seed, report.Stress is null);
    }

    private static string Counts(StressCounters c) =>
        Invariant($"{c.Maps} maps, {c.Unmaps} unmaps, {c.Attaches} attach/detach, {c.AtsCycles} ATS cycles, {c.Probes} probes that must fault");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
