using System.CommandLine;
using SmmuLab.Reporting;
using SmmuLab.Scenarios;

namespace SmmuLab.Cli.Commands;

/// <summary>
/// <c>smmulab compare [SCENARIO]</c>: runs a scenario under the legacy and the Linux 7.1
/// invalidation designs and prints, per operation kind, commands, CMD_SYNCs and modeled hardware
/// time for each, with the linux/legacy ratios. Steps that failed under either design are left out
/// of both sums; the exit status is 1 when any step failed under either design.
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
        var command = new Command("compare", "Run a scenario under both invalidation designs (legacy, linux) and compare their cost")
        {
            scenario,
        };
        command.SetAction(parse =>
        {
            var config = parse.InvocationConfiguration;
            if (!ScenarioLoading.TryLoad(parse.GetValue(scenario), config.Error, out var loaded))
            {
                return ExitCodes.BadInput;
            }

            var comparison = DesignComparison.Run(loaded, machineFactory);
            config.Output.Write(comparison.Format());
            return comparison.AllPassed ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }
}
