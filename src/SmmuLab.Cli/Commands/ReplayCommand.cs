using System.CommandLine;
using SmmuLab.Cli.Output;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Replay.Diagnostics;
using SmmuLab.Replay.Engine;
using SmmuLab.Reporting.Json;
using SmmuLab.Reporting.Replay;
using SmmuLab.Tracing.Perfetto;

namespace SmmuLab.Cli.Commands;

/// <summary>
/// <c>smmulab replay TRACE [--machine SCENARIO] [--design linux|legacy|both] [--mode strict|deferred] [--cpus N] [--json FILE] [--perfetto FILE]</c>:
/// replays a Linux DMA-API/IOMMU trace (tracefs or trace-cmd text) through the driver and the
/// model and prints the invalidation cost per second of trace time. Exits 0 when the trace was
/// read to its end (lines not understood are reported), 1 when it is damaged (truncated, binary
/// data, a read error: the partial result is printed), 2 when the input is refused.
/// </summary>
internal static class ReplayCommand
{
    public const string Both = "both";

    public static Command Build()
    {
        var trace = new Argument<string>("trace")
        {
            Description = "A trace: tracefs 'trace'/'trace_pipe' or 'trace-cmd report' text with dma:* and iommu:* events (docs/replay.md)",
        };
        var machine = new Option<string?>("--machine")
        {
            Description = "A scenario file whose SMMUs, devices and domains the trace's devices are matched to by name; an embedded default when left out",
            HelpName = "SCENARIO",
        };
        var design = new Option<string?>("--design")
        {
            Description = "Invalidation design: linux, legacy, or both (side-by-side); default: the scenario's, else linux",
        };
        OneOf(design, [.. InvalidationDesigns.Names, Both]);
        var mode = new Option<string?>("--mode")
        {
            Description = "strict (every unmap invalidates at once) or deferred (flush queue, 10 ms timer in trace time)",
            DefaultValueFactory = _ => "strict",
        };
        OneOf(mode, ["strict", "deferred"]);
        var cpus = new Option<int?>("--cpus")
        {
            Description = "CPUs of the DMA layer; default: the trace header's count, else 64",
            HelpName = "N",
        };
        var json = new Option<string?>("--json")
        {
            Description = "Write the replay's results as one JSON document (docs/json.md) to FILE; '-' for standard output instead of the text",
            HelpName = "FILE",
        };
        var perfetto = new Option<string?>("--perfetto")
        {
            Description = "Write a Chrome trace-event JSON of the replay on modeled time (queues, commands, DMA, counters) to FILE, for ui.perfetto.dev",
            HelpName = "FILE",
        };
        var command = new Command("replay", "Replay a Linux DMA-API/IOMMU trace through the driver and the model; invalidation cost per second of trace")
        {
            trace,
            machine,
            design,
            mode,
            cpus,
            json,
            perfetto,
        };
        command.SetAction(parse =>
        {
            var config = parse.InvocationConfiguration;
            return Run(parse.GetValue(trace)!, parse.GetValue(machine), parse.GetValue(design), parse.GetValue(mode)!, parse.GetValue(cpus),
                config.Output, config.Error, parse.GetValue(json), parse.GetValue(perfetto));
        });
        return command;
    }

    /// <summary>Loads the machine, replays, prints; returns the exit code.</summary>
    public static int Run(string path, string? machinePath, string? design, string mode, int? cpus, TextWriter output, TextWriter error,
        string? jsonPath = null, string? perfettoPath = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (cpus is < 1 or > 4096)
        {
            error.WriteLine($"smmulab: --cpus {cpus}: must be 1 to 4096");
            return ExitCodes.BadInput;
        }

        var spec = ReplayMachineSpec.Default;
        var chosen = design ?? InvalidationDesigns.Linux;
        if (machinePath is not null)
        {
            if (!ScenarioLoading.TryLoad(machinePath, error, out var scenario))
            {
                return ExitCodes.BadInput;
            }

            spec = ScenarioReplayMachine.From(scenario);
            chosen = design ?? scenario.Invalidation;
        }

        if (!OutputTarget.AreDistinct(error, ("--json", jsonPath), ("--perfetto", perfettoPath))
            || !OutputTarget.TryOpen(jsonPath, "JSON report", [path, machinePath], allowStandardOutput: true, error, out var json)
            || !OutputTarget.TryOpen(perfettoPath, "Perfetto trace", [path, machinePath], allowStandardOutput: false, error, out var perfettoTarget))
        {
            return ExitCodes.BadInput;
        }

        using var ownedJson = json;
        using var ownedPerfetto = perfettoTarget;
        using var perfetto = perfettoTarget is null ? null : new PerfettoTraceWriter(perfettoTarget.Stream, leaveOpen: true);
        var text = json?.IsStandardOutput == true ? TextWriter.Null : output;
        IReadOnlyList<ReplayReport> runs;
        var options = new ReplayOptions
        {
            Design = chosen == Both ? InvalidationDesigns.Linux : chosen,
            Mode = mode == "deferred" ? ReplayMode.Deferred : ReplayMode.Strict,
            CpuCount = cpus,
            SmmuAdded = perfetto is null ? null : (designName, smmu, device) => perfetto.Attach(device, chosen == Both ? $"{designName} {smmu}" : smmu),
        };
        ReplayReport report;
        try
        {
            if (chosen == Both)
            {
                var comparison = ReplayComparison.Run(() => Open(path), spec, options, path);
                text.Write(comparison.Format());
                report = comparison.Runs[^1];
                runs = comparison.Runs;
            }
            else
            {
                using var stream = Open(path);
                report = ReplayEngine.Run(stream, spec, options, path);
                text.Write(report.Format());
                runs = [report];
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"smmulab: {path}: cannot read the trace: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (ReplayFailedException e)
        {
            error.WriteLine($"smmulab: {path}:{e.LineNumber}: the replay failed: {e.InnerException?.GetType().Name}: {e.InnerException?.Message}");
            return ExitCodes.Failed;
        }
        catch (ReplaySetupException e)
        {
            error.WriteLine($"smmulab: {machinePath ?? "replay machine"}: {e.Message}");
            return ExitCodes.BadInput;
        }

        var verdict = Verdict(path, report, error);
        if (perfetto is not null)
        {
            perfetto.Dispose();
            if (perfetto.WriteError is { } failure)
            {
                error.WriteLine($"smmulab: {perfettoTarget!.Path}: cannot write the Perfetto trace: {failure}");
                return ExitCodes.WriteFailed;
            }

            if (perfettoTarget!.Commit(output, error) != ExitCodes.Success)
            {
                return ExitCodes.WriteFailed;
            }
        }

        if (json is not null && json.WriteAndCommit(s => ReplayReportJson.Write(s, runs), output, error) != ExitCodes.Success)
        {
            return ExitCodes.WriteFailed;
        }

        return verdict;
    }

    /// <summary>One line per kind of trouble on <paramref name="error"/>; 1 when the trace is damaged, else 0.</summary>
    private static int Verdict(string path, ReplayReport report, TextWriter error)
    {
        var d = report.Diagnostics;
        var code = ExitCodes.Success;
        if (report.End == ReplayEnd.Truncated)
        {
            var cut = d.Samples(TraceProblem.TruncatedLine).FirstOrDefault();
            error.WriteLine($"smmulab: {path}:{cut.LineNumber}: the trace is truncated (its last line was cut); the result covers the lines before it");
            code = ExitCodes.Failed;
        }
        else if (report.End == ReplayEnd.ReadError)
        {
            error.WriteLine($"smmulab: {path}: reading failed after line {d.Lines}: {report.ReadError}; the result covers the lines read");
            code = ExitCodes.Failed;
        }

        var garbage = d.Count(TraceProblem.Garbage);
        if (garbage > 0)
        {
            error.WriteLine($"smmulab: {path}:{d.Samples(TraceProblem.Garbage).FirstOrDefault().LineNumber}: {garbage} lines of binary data or control characters (corrupt file)");
            code = ExitCodes.Failed;
        }

        var other = d.NotUnderstood - garbage - d.Count(TraceProblem.TruncatedLine);
        if (other > 0)
        {
            var first = Enum.GetValues<TraceProblem>()
                .SelectMany(d.Samples)
                .Where(s => s.LineNumber > 0)
                .OrderBy(s => s.LineNumber)
                .FirstOrDefault();
            error.WriteLine($"smmulab: {path}:{first.LineNumber}: {other} lines not understood (first: {first.Detail})");
        }

        return code;
    }

    /// <summary>Refuses any other value with one line (the library's own message spans several).</summary>
    private static void OneOf(Option<string?> option, string[] values) => option.Validators.Add(result =>
    {
        var value = result.GetValueOrDefault<string?>();
        if (value is not null && !values.Contains(value, StringComparer.Ordinal))
        {
            result.AddError($"{option.Name}: '{value}' is not one of {string.Join(", ", values)}");
        }
    });

    /// <summary>The trace as bytes: the parser reads UTF-8 itself into its own buffer, so the stream keeps none (BufferSize 0).</summary>
    private static FileStream Open(string path) => new(path,
        new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite, BufferSize = 0, Options = FileOptions.SequentialScan });
}
