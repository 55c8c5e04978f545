using System.CommandLine;
using SmmuLab.Cli.Output;
using SmmuLab.Cli.Progress;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Reporting;
using SmmuLab.Scenarios;
using SmmuLab.Tracing;
using SmmuLab.Verification;

namespace SmmuLab.Cli.Commands;

/// <summary>
/// <c>smmulab run [SCENARIO] [--trace FILE] [--free-running]</c>: runs a scenario file (or the
/// embedded default) through the driver on a scenario machine, with the stale-translation oracle,
/// and prints a report. Exits 1 when a step failed or the oracle found a violation.
/// </summary>
internal static class RunCommand
{
    public static Command Build(Func<Scenario, IScenarioMachine> machineFactory)
    {
        var scenario = new Argument<string?>("scenario")
        {
            Description = "A scenario file (TOML, see docs/scenario-format.md); the embedded default when left out",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var trace = new Option<string?>("--trace")
        {
            Description = "Write every consumed command, event and DMA as JSON Lines to FILE",
            HelpName = "FILE",
        };
        var freeRunning = new Option<bool>("--free-running")
        {
            Description = "Consume commands on a device thread instead of inline on the writing thread",
        };
        var command = new Command("run", "Run a scenario (default: an SMMU, a NIC behind S1 and a GPU behind S2; map, DMA, unmap, fault) and print a report")
        {
            scenario,
            trace,
            freeRunning,
        };
        command.SetAction(parse =>
        {
            var config = parse.InvocationConfiguration;
            var mode = parse.GetValue(freeRunning) ? ConsumptionMode.FreeRunning : ConsumptionMode.Inline;
            using var interrupt = new InterruptSignal(config.Error);
            using var progress = new ConsoleProgress(config.Error, terminal: !Console.IsErrorRedirected && ReferenceEquals(config.Error, Console.Error));
            return Run(parse.GetValue(scenario), parse.GetValue(trace), mode, machineFactory, config.Output, config.Error, interrupt.Token, progress.Report);
        });
        return command;
    }

    /// <summary>Loads, runs and reports; returns the exit code.</summary>
    public static int Run(string? path, string? tracePath, ConsumptionMode mode, Func<Scenario, IScenarioMachine> machineFactory,
        TextWriter output, TextWriter error, CancellationToken stop = default, Action<ScenarioProgress>? progress = null)
    {
        if (!ScenarioLoading.TryLoad(path, error, out var loaded))
        {
            return ExitCodes.BadInput;
        }

        OutputFile? traceFile = null;
        if (tracePath is not null && !OutputFile.TryCreate(tracePath, "trace", [path], error, out traceFile))
        {
            return ExitCodes.BadInput;
        }

        using var owned = traceFile;
        var writer = traceFile is null ? null : new TraceWriter(traceFile.Stream, leaveOpen: true);
        try
        {
            return RunLoaded(loaded, writer, mode, machineFactory, output, error, stop, progress, traceFile);
        }
        catch (IOException e) when (writer is not null)
        {
            error.WriteLine($"smmulab: {tracePath}: cannot write the trace: {e.Message}");
            return ExitCodes.WriteFailed;
        }
    }

    private static int RunLoaded(Scenario loaded, TraceWriter? writer, ConsumptionMode mode, Func<Scenario, IScenarioMachine> machineFactory,
        TextWriter output, TextWriter error, CancellationToken stop, Action<ScenarioProgress>? progress, OutputFile? traceFile)
    {
        using (writer)
        {
            using var oracle = new StaleTranslationOracle();
            using var machine = machineFactory(loaded);
            var runner = new ScenarioRunner(machine, new ScenarioRunOptions
            {
                Trace = writer,
                Mode = mode == ConsumptionMode.FreeRunning ? mode : null,
                Oracle = oracle,
                Stop = stop,
                Progress = progress,
            });
            var report = runner.Run(loaded);
            output.Write(report.Format());
            if (report.Failed > 0)
            {
                error.WriteLine($"smmulab: {loaded.Path}: {report.Failed} of {report.Passed + report.Failed} steps failed");
            }

            if (report.ViolationCount > 0)
            {
                error.WriteLine($"smmulab: {loaded.Path}: {report.ViolationCount} stale-translation violations");
            }

            if (report.Stopped)
            {
                error.WriteLine($"smmulab: {loaded.Path}: stopped by request; the report is partial");
            }

            writer?.Dispose();
            if (traceFile is not null && !traceFile.Commit(error, "trace"))
            {
                return ExitCodes.WriteFailed;
            }

            return report.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
        }
    }
}
