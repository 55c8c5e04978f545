using System.CommandLine;
using SmmuLab.Cli.Output;
using SmmuLab.Cli.Progress;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Reporting;
using SmmuLab.Reporting.Json;
using SmmuLab.Scenarios;
using SmmuLab.Tracing;
using SmmuLab.Tracing.Perfetto;
using SmmuLab.Verification;

namespace SmmuLab.Cli.Commands;

/// <summary>
/// <c>smmulab run [SCENARIO] [--trace FILE] [--json FILE] [--perfetto FILE] [--free-running]</c>:
/// runs a scenario file (or the embedded default) through the driver on a scenario machine, with
/// the stale-translation oracle, and prints a report (as text, and as JSON with <c>--json</c>).
/// Exits 1 when a step failed or the oracle found a violation, 3 when an output could not be written.
/// </summary>
internal static class RunCommand
{
    public static Command Build(Func<Scenario, IScenarioMachine> machineFactory, TextReader? input = null)
    {
        var scenario = new Argument<string?>("scenario")
        {
            Description = "A scenario file (TOML, see docs/scenario-format.md); '-' reads it from standard input; the embedded default when left out",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var trace = new Option<string?>("--trace")
        {
            Description = "Write every consumed command, event and DMA as JSON Lines to FILE",
            HelpName = "FILE",
        };
        var json = new Option<string?>("--json")
        {
            Description = "Write the report as one JSON document (docs/json.md) to FILE; '-' for standard output instead of the text",
            HelpName = "FILE",
        };
        var perfetto = new Option<string?>("--perfetto")
        {
            Description = "Write a Chrome trace-event JSON of the run on modeled time (queues, commands, DMA, counters) to FILE, for ui.perfetto.dev",
            HelpName = "FILE",
        };
        var freeRunning = new Option<bool>("--free-running")
        {
            Description = "Consume commands on a device thread instead of inline on the writing thread",
        };
        var quiet = new Option<bool>("--quiet", "-q")
        {
            Description = "No text report and no progress: only problems on standard error, and the exit code",
        };
        var command = new Command("run", "Run a scenario (default: an SMMU, a NIC behind S1 and a GPU behind S2; map, DMA, unmap, fault) and print a report")
        {
            scenario,
            trace,
            json,
            perfetto,
            freeRunning,
            quiet,
        };
        command.SetAction(parse =>
        {
            var config = parse.InvocationConfiguration;
            var mode = parse.GetValue(freeRunning) ? ConsumptionMode.FreeRunning : ConsumptionMode.Inline;
            using var interrupt = new InterruptSignal(config.Error);
            var silent = parse.GetValue(quiet);
            using var progress = silent ? null : new ConsoleProgress(config.Error, terminal: !Console.IsErrorRedirected && ReferenceEquals(config.Error, Console.Error));
            var outputs = new RunOutputs(parse.GetValue(trace), parse.GetValue(json), parse.GetValue(perfetto), silent);
            return Run(parse.GetValue(scenario), outputs, mode, machineFactory, config.Output, config.Error, interrupt.Token,
                progress is null ? null : progress.Report, input);
        });
        return command;
    }

    /// <summary>Loads, runs and reports, with a trace when <paramref name="tracePath"/> is given; returns the exit code.</summary>
    public static int Run(string? path, string? tracePath, ConsumptionMode mode, Func<Scenario, IScenarioMachine> machineFactory,
        TextWriter output, TextWriter error, CancellationToken stop = default, Action<ScenarioProgress>? progress = null) =>
        Run(path, new RunOutputs(tracePath), mode, machineFactory, output, error, stop, progress);

    /// <summary>Loads, runs and reports, writing the files <paramref name="outputs"/> names; returns the exit code.</summary>
    public static int Run(string? path, RunOutputs outputs, ConsumptionMode mode, Func<Scenario, IScenarioMachine> machineFactory,
        TextWriter output, TextWriter error, CancellationToken stop = default, Action<ScenarioProgress>? progress = null, TextReader? input = null)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (!ScenarioLoading.TryLoad(path, error, out var loaded, input))
        {
            return ExitCodes.BadInput;
        }

        if (!OutputTarget.AreDistinct(error, ("--trace", outputs.Trace), ("--json", outputs.Json), ("--perfetto", outputs.Perfetto)))
        {
            return ExitCodes.BadInput;
        }

        OutputFile? traceFile = null;
        if (outputs.Trace is not null && !OutputFile.TryCreate(outputs.Trace, "trace", [path], error, out traceFile))
        {
            return ExitCodes.BadInput;
        }

        using var owned = traceFile;
        if (!OutputTarget.TryOpen(outputs.Json, "JSON report", [path], allowStandardOutput: true, error, out var json)
            || !OutputTarget.TryOpen(outputs.Perfetto, "Perfetto trace", [path], allowStandardOutput: false, error, out var perfetto))
        {
            return ExitCodes.BadInput;
        }

        using var ownedJson = json;
        using var ownedPerfetto = perfetto;
        var writer = traceFile is null ? null : new TraceWriter(traceFile.Stream, leaveOpen: true);
        try
        {
            return RunLoaded(loaded, writer, mode, machineFactory, output, error, stop, progress, traceFile, json, perfetto, outputs.Quiet);
        }
        catch (IOException e) when (writer is not null)
        {
            error.WriteLine($"smmulab: {outputs.Trace}: cannot write the trace: {e.Message}");
            return ExitCodes.WriteFailed;
        }
    }

    private static int RunLoaded(Scenario loaded, TraceWriter? writer, ConsumptionMode mode, Func<Scenario, IScenarioMachine> machineFactory,
        TextWriter output, TextWriter error, CancellationToken stop, Action<ScenarioProgress>? progress, OutputFile? traceFile,
        OutputTarget? json, OutputTarget? perfettoTarget, bool quiet)
    {
        using (writer)
        {
            ScenarioReport report;
            string? perfettoError = null;
            using (var perfetto = perfettoTarget is null ? null : new PerfettoTraceWriter(perfettoTarget.Stream, leaveOpen: true))
            {
                using var oracle = new StaleTranslationOracle();
                var machine = machineFactory(loaded);
                try
                {
                    var runner = new ScenarioRunner(machine, new ScenarioRunOptions
                    {
                        Trace = writer,
                        Mode = mode == ConsumptionMode.FreeRunning ? mode : null,
                        Oracle = oracle,
                        Stop = stop,
                        Progress = progress,
                        Observer = perfetto is null ? null : new PerfettoRunObserver(perfetto, loaded),
                    });
                    report = runner.Run(loaded);
                }
                finally
                {
                    // Before the traces close, so that they have the teardown's commands: the
                    // JSON Lines trace as step -2, "phase":"teardown"; the Perfetto trace in its teardown slice.
                    machine.Dispose();
                }

                perfetto?.Dispose();
                perfettoError = perfetto?.WriteError;
            }

            if (json?.IsStandardOutput != true && !quiet)
            {
                ReportOutput.Write(report.ToTextReport(), output);
            }

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

            if (perfettoError is not null)
            {
                error.WriteLine($"smmulab: {perfettoTarget!.Path}: cannot write the Perfetto trace: {perfettoError}");
                return ExitCodes.WriteFailed;
            }

            if (perfettoTarget is not null && perfettoTarget.Commit(output, error) != ExitCodes.Success)
            {
                return ExitCodes.WriteFailed;
            }

            if (json is not null && json.WriteAndCommit(s => ScenarioReportJson.Write(s, report), output, error) != ExitCodes.Success)
            {
                return ExitCodes.WriteFailed;
            }

            return report.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
        }
    }
}
