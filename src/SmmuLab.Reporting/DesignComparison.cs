using SmmuLab.Driver.Invalidation;
using SmmuLab.Scenarios;

namespace SmmuLab.Reporting;

/// <summary>
/// Runs one scenario under the legacy and the Linux 7.1 invalidation designs and compares, per
/// kind of operation, the commands consumed, the CMD_SYNCs and the modeled hardware time.
/// </summary>
public sealed class DesignComparison
{
    public static readonly IReadOnlyList<string> Designs = InvalidationDesigns.Names;

    private DesignComparison(Scenario scenario, IReadOnlyList<DesignRun> runs)
    {
        Scenario = scenario;
        Runs = runs;
    }

    public Scenario Scenario { get; }

    public IReadOnlyList<DesignRun> Runs { get; }

    /// <summary>Runs <paramref name="scenario"/> once per design with machines from <paramref name="machineFor"/>.</summary>
    public static DesignComparison Run(Scenario scenario, Func<Scenario, IScenarioMachine> machineFor)
    {
        var measured = new List<(string Design, ScenarioReport Report, IReadOnlyList<(int Index, StepCost Cost)> Costs)>();
        foreach (var design in Designs)
        {
            var variant = scenario with { Invalidation = design };
            var meter = new StepCostMeter();
            using var machine = machineFor(variant);
            var report = new ScenarioRunner(machine, new ScenarioRunOptions { Observer = meter }).Run(variant);
            measured.Add((design, report, meter.Costs.Select(c => (c.Key, c.Value)).ToList()));
        }

        // Equal work only: a step that failed under either design is left out of both designs' sums,
        // and so is every step from the first one whose outcome differs between the designs on:
        // from there their machines hold different state (a domain on one SMMU, not four), so the
        // same later step does different work under each.
        var excluded = new SortedSet<int>(measured.SelectMany(m => m.Report.Failures.Select(f => f.Index)));
        var divergedAt = FirstDivergence([.. measured.Select(m => m.Report)], scenario.Steps.Count);
        for (var i = divergedAt ?? scenario.Steps.Count; i < scenario.Steps.Count; i++)
        {
            excluded.Add(i);
        }
        var runs = new List<DesignRun>();
        foreach (var (design, report, costs) in measured)
        {
            var byKind = new Dictionary<string, StepCost>();
            foreach (var (index, cost) in costs)
            {
                var kind = index < 0 ? "setup" : index < scenario.Steps.Count && !excluded.Contains(index) ? scenario.Steps[index].OpName : null;
                if (kind is null)
                {
                    continue;
                }

                var sum = byKind.GetValueOrDefault(kind);
                byKind[kind] = new StepCost(sum.Commands + cost.Commands, sum.Syncs + cost.Syncs, sum.ModeledNanoseconds + cost.ModeledNanoseconds);
            }

            runs.Add(new DesignRun(design, report, byKind));
        }

        return new DesignComparison(scenario, runs) { ExcludedSteps = [.. excluded], DivergedAt = divergedAt };
    }

    /// <summary>
    /// Steps left out of the sums: those that failed under at least one design, and every step from
    /// <see cref="DivergedAt"/> on (so the designs did unequal work there).
    /// </summary>
    public IReadOnlyList<int> ExcludedSteps { get; private init; } = [];

    /// <summary>
    /// The first step whose outcome differs between the designs (passed under one and failed, or
    /// failed otherwise, or went unreported, under another); null when every step ended alike.
    /// </summary>
    public int? DivergedAt { get; private init; }

    /// <summary>The first step index at which the reports' outcomes differ (see <see cref="DivergedAt"/>).</summary>
    private static int? FirstDivergence(IReadOnlyList<ScenarioReport> reports, int steps)
    {
        var byIndex = reports.Select(r => r.Steps.ToDictionary(s => s.Index)).ToList();
        for (var i = 0; i < steps; i++)
        {
            var first = Outcome(byIndex[0], i);
            if (byIndex.Skip(1).Any(d => Outcome(d, i) != first))
            {
                return i;
            }
        }

        return null;

        static string? Outcome(Dictionary<int, StepResult> steps, int index) =>
            !steps.TryGetValue(index, out var step) ? null : step.Passed ? string.Empty : step.Outcome;
    }

    /// <summary>True when every step passed under every design, none was left unreported and no run stopped early: the figures compare the whole scenario.</summary>
    public bool AllPassed => Runs.All(r => r.Report.Failed == 0 && r.Report.Omitted == 0 && !r.Report.Stopped);

    /// <summary>The order operation kinds are listed in; kinds not named here follow, by name.</summary>
    public static readonly IReadOnlyList<string> KindOrder = ["setup", "attach", "detach", "map", "unmap", "flush", "dma", "wait", "workload"];

    /// <summary>Every operation kind either design spent something on, in <see cref="KindOrder"/> (the JSON document and the plot list them all).</summary>
    public IReadOnlyList<string> Kinds()
    {
        var seen = Runs.SelectMany(r => r.ByKind.Keys).Distinct(StringComparer.Ordinal).ToList();
        return [.. KindOrder.Where(seen.Contains), .. seen.Except(KindOrder, StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>The comparison as text: a Markdown table (one row per operation kind, both designs, linux/legacy ratios), then each design's failures.</summary>
    public string Format() => this.ToTextReport().ToPlainText();
}

/// <summary>One design's run of a scenario and its cost per operation kind.</summary>
public sealed record DesignRun(string Design, ScenarioReport Report, IReadOnlyDictionary<string, StepCost> ByKind);
