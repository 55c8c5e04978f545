using System.CommandLine;
using SmmuLab.Cli.Output;
using SmmuLab.Plots;
using SmmuLab.Reporting;
using SmmuLab.Reporting.Json;
using SmmuLab.Scenarios;

namespace SmmuLab.Cli.Commands;

/// <summary>
/// <c>smmulab compare [SCENARIO] [--json FILE] [--plot FILE.png]</c>: runs a scenario under the
/// legacy and the Linux 7.1 invalidation designs and prints, per operation kind, commands,
/// CMD_SYNCs and modeled hardware time for each, with the linux/legacy ratios. Steps that failed
/// under either design are left out of both sums; the exit status is 1 when any step failed under
/// either design.
/// </summary>
internal static class CompareCommand
{
    public static Command Build(Func<Scenario, IScenarioMachine> machineFactory)
    {
        var scenario = new Argument<string?>("scenario")
        {
            Description = "A scenario file (TOML); the embedded default when left out",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var json = new Option<string?>("--json")
        {
            Description = "Write the comparison as one JSON document (docs/json.md) to FILE; '-' for standard output instead of the text",
            HelpName = "FILE",
        };
        var plot = new Option<string?>("--plot")
        {
            Description = "Draw commands, CMD_SYNCs and modeled time per design and operation kind as a PNG to FILE",
            HelpName = "FILE.png",
        };
        var command = new Command("compare", "Run a scenario under both invalidation designs (legacy, linux) and compare their cost")
        {
            scenario,
            json,
            plot,
        };
        command.SetAction(parse =>
        {
            var config = parse.InvocationConfiguration;
            return Run(parse.GetValue(scenario), parse.GetValue(json), parse.GetValue(plot), machineFactory, config.Output, config.Error);
        });
        return command;
    }

    /// <summary>Loads, compares, prints and writes the requested files; returns the exit code.</summary>
    public static int Run(string? path, string? jsonPath, string? plotPath, Func<Scenario, IScenarioMachine> machineFactory, TextWriter output, TextWriter error)
    {
        if (!ScenarioLoading.TryLoad(path, error, out var loaded))
        {
            return ExitCodes.BadInput;
        }

        if (!OutputTarget.AreDistinct(error, ("--json", jsonPath), ("--plot", plotPath))
            || !OutputTarget.TryOpen(jsonPath, "JSON report", [path], allowStandardOutput: true, error, out var json)
            || !OutputTarget.TryOpen(plotPath, "plot", [path], allowStandardOutput: false, error, out var plot))
        {
            return ExitCodes.BadInput;
        }

        using var ownedJson = json;
        using var ownedPlot = plot;
        var comparison = DesignComparison.Run(loaded, machineFactory);
        if (json?.IsStandardOutput != true)
        {
            ReportOutput.Write(comparison.ToTextReport(), output);
        }

        if (plot is not null && plot.WriteAndCommit(s => s.Write(ComparisonPlot.Png(ComparisonSeries.From(comparison))), output, error) != ExitCodes.Success)
        {
            return ExitCodes.WriteFailed;
        }

        if (json is not null && json.WriteAndCommit(s => DesignComparisonJson.Write(s, comparison), output, error) != ExitCodes.Success)
        {
            return ExitCodes.WriteFailed;
        }

        return comparison.AllPassed ? ExitCodes.Success : ExitCodes.Failed;
    }
}
