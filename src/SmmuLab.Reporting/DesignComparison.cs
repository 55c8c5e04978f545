using System.Text;
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

        // Equal work only: a step that failed under either design is left out of both designs' sums.
        var excluded = new SortedSet<int>(measured.SelectMany(m => m.Report.Failures.Select(f => f.Index)));
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

        return new DesignComparison(scenario, runs) { ExcludedSteps = [.. excluded] };
    }

    /// <summary>Steps left out of the sums because they failed under at least one design (so the designs did unequal work there).</summary>
    public IReadOnlyList<int> ExcludedSteps { get; private init; } = [];

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

    /// <summary>The comparison as a Markdown table: one row per operation kind, both designs, linux/legacy ratios.</summary>
    public string Format()
    {
        var legacy = Runs[0];
        var linux = Runs[1];
        var kinds = new[] { "setup", "attach", "detach", "map", "unmap", "flush", "dma" }
            .Where(k => legacy.ByKind.ContainsKey(k) || linux.ByKind.ContainsKey(k)).ToList();
        var sb = new StringBuilder();
        sb.AppendLine($"scenario: {Scenario.Path}{(Scenario.Description is { } d ? $" ({d})" : string.Empty)}");
        sb.AppendLine();
        sb.AppendLine("| operation | legacy cmds | legacy syncs | legacy time (us) | linux cmds | linux syncs | linux time (us) | cmds ratio | syncs ratio | time ratio |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var k in kinds.Append("total"))
        {
            var a = k == "total" ? Total(legacy, kinds) : legacy.ByKind.GetValueOrDefault(k);
            var b = k == "total" ? Total(linux, kinds) : linux.ByKind.GetValueOrDefault(k);
            sb.AppendLine($"| {k} | {a.Commands} | {a.Syncs} | {a.ModeledNanoseconds / 1000:F2} | {b.Commands} | {b.Syncs} | {b.ModeledNanoseconds / 1000:F2} | "
                + $"{Ratio(b.Commands, a.Commands)} | {Ratio(b.Syncs, a.Syncs)} | {Ratio(b.ModeledNanoseconds, a.ModeledNanoseconds)} |");
        }

        foreach (var run in Runs)
        {
            sb.AppendLine();
            sb.AppendLine($"{run.Design}: {run.Report.Passed} steps passed, {run.Report.Failed} failed");
            foreach (var f in run.Report.Failures)
            {
                sb.AppendLine($"  {run.Design} step #{f.Index} line {f.Line}: {f.Outcome}");
            }
        }

        if (ExcludedSteps.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine($"not compared (failed under a design, so the designs did unequal work): steps {string.Join(", ", ExcludedSteps.Take(20).Select(i => $"#{i}"))}"
                + (ExcludedSteps.Count > 20 ? $" and {ExcludedSteps.Count - 20} more" : string.Empty));
        }

        return sb.ToString();
    }

    private static StepCost Total(DesignRun run, IEnumerable<string> kinds) =>
        kinds.Aggregate(default(StepCost), (s, k) =>
        {
            var c = run.ByKind.GetValueOrDefault(k);
            return new StepCost(s.Commands + c.Commands, s.Syncs + c.Syncs, s.ModeledNanoseconds + c.ModeledNanoseconds);
        });

    private static string Ratio(double linux, double legacy) => legacy == 0 ? (linux == 0 ? "-" : "n/a") : $"{linux / legacy:F2}";
}

/// <summary>One design's run of a scenario and its cost per operation kind.</summary>
public sealed record DesignRun(string Design, ScenarioReport Report, IReadOnlyDictionary<string, StepCost> ByKind);
