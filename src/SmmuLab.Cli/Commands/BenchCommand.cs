using System.CommandLine;
using SmmuLab.Cli.Output;
using SmmuLab.Driver.Dma;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Encoding;
using SmmuLab.Machines;
using SmmuLab.Machines.Bench;
using SmmuLab.Plots;
using SmmuLab.Reporting;
using SmmuLab.Reporting.Json;
using SmmuLab.Scenarios;
using SmmuLab.Scenarios.Bench;

namespace SmmuLab.Cli.Commands;

/// <summary>
/// <c>smmulab bench</c>: Linux's dma_map_benchmark on a simulated machine. N threads, each its own
/// CPU, map and unmap granule pages on one device through the DMA layer for S seconds; prints the
/// tool's latency lines, then throughput, commands and CMD_SYNCs per map+unmap, modeled SMMU time
/// and flush-queue flushes; <c>--json FILE</c> writes the results as JSON, <c>--plot FILE.png</c> the
/// latency histograms. Exits 2 on a refused input, 1 when a benchmark thread failed, 3 when an
/// output could not be written.
/// </summary>
internal static class BenchCommand
{
    /// <summary>The <c>--design</c> value that runs both designs, legacy first.</summary>
    public const string BothDesigns = "both";

    public static Command Build()
    {
        var threads = new Option<int>("--threads") { Description = "Mapping threads, each on its own CPU number (1-1024)", DefaultValueFactory = _ => 1, HelpName = "N" };
        var seconds = new Option<int>("--seconds") { Description = "How long to run (1-300)", DefaultValueFactory = _ => 20, HelpName = "S" };
        var granule = new Option<int>("--granule") { Description = "Pages per mapping (1-1024)", DefaultValueFactory = _ => 1, HelpName = "PAGES" };
        var dir = new Option<string>("--dir") { Description = "bidirectional, to-device or from-device", DefaultValueFactory = _ => "bidirectional" };
        var mode = new Option<string>("--mode") { Description = "strict (every unmap invalidates and waits; arm64's default) or deferred (flush queue)", DefaultValueFactory = _ => "strict" };
        var design = new Option<string?>("--design") { Description = "Invalidation design: linux, legacy or both (default: the machine's, else linux)" };
        var machine = new Option<string?>("--machine") { Description = "A scenario file whose SMMUs and devices to use; the first device is mapped for (default: one SMMU, one stage-1 device)", HelpName = "SCENARIO" };
        var transNs = new Option<int>("--dma-trans-ns") { Description = "Busy wait between map and unmap, in ns (0-10000000)", DefaultValueFactory = _ => 0, HelpName = "NS" };
        var json = new Option<string?>("--json") { Description = "Write the results as one JSON document (docs/json.md) to FILE; '-' for standard output instead of the text", HelpName = "FILE" };
        var plot = new Option<string?>("--plot") { Description = "Draw the map and unmap latency histograms of each design and mode as a PNG to FILE", HelpName = "FILE.png" };
        var scaling = new Option<bool>("--scaling")
        {
            Description = "Then measure scaling: 1 thread and N threads in alternating 0.25 s slices for another S seconds, and print N threads' throughput over 1 thread's (needs --threads 2 or more)",
        };
        var command = new Command("bench", "Linux's dma_map_benchmark on the model: map/unmap latency, throughput and SMMU commands per operation")
        {
            threads, seconds, granule, dir, mode, design, machine, transNs, json, plot, scaling,
        };
        command.SetAction(parse =>
        {
            var config = parse.InvocationConfiguration;
            var request = CreateRequest(parse.GetValue(threads), parse.GetValue(seconds), parse.GetValue(granule), parse.GetValue(dir)!,
                parse.GetValue(mode)!, parse.GetValue(design), parse.GetValue(machine), parse.GetValue(transNs), parse.GetValue(scaling));
            if (!request.IsSuccess)
            {
                config.Error.WriteLine($"smmulab: {request.Error}");
                return ExitCodes.BadInput;
            }

            return Run(request.Value with { JsonPath = parse.GetValue(json), PlotPath = parse.GetValue(plot) }, config.Output, config.Error);
        });
        return command;
    }

    /// <summary>Checks the command-line values (the kernel's ranges) and turns them into a request.</summary>
    public static Result<BenchRequest> CreateRequest(int threads, int seconds, int granule, string dir, string mode, string? design,
        string? machinePath, int transNs, bool scaling = false)
    {
        if (scaling && threads == 1)
        {
            return Result<BenchRequest>.Fail("--scaling compares 1 thread with N: give --threads 2 or more");
        }

        if (seconds is < 1 or > DmaMapBenchmarkOptions.MaxSeconds)
        {
            return Result<BenchRequest>.Fail($"invalid number of seconds, must be in 1-{DmaMapBenchmarkOptions.MaxSeconds}");
        }

        DmaDirection? direction = dir.Trim().ToLowerInvariant() switch
        {
            "bidirectional" => DmaDirection.Bidirectional,
            "to-device" => DmaDirection.ToDevice,
            "from-device" => DmaDirection.FromDevice,
            _ => null,
        };
        if (direction is null)
        {
            return Result<BenchRequest>.Fail($"invalid dma direction '{dir}' (expected bidirectional, to-device or from-device)");
        }

        DmaDomainType? type = mode.Trim().ToLowerInvariant() switch
        {
            "strict" => DmaDomainType.Dma,
            "deferred" => DmaDomainType.DmaFq,
            _ => null,
        };
        if (type is null)
        {
            return Result<BenchRequest>.Fail($"invalid mode '{mode}' (expected strict or deferred)");
        }

        IReadOnlyList<string>? designs = design?.Trim().ToLowerInvariant() switch
        {
            null => null,
            BothDesigns => [InvalidationDesigns.Legacy, InvalidationDesigns.Linux],
            InvalidationDesigns.Linux or InvalidationDesigns.Legacy => [design.Trim().ToLowerInvariant()],
            _ => [],
        };
        if (designs is { Count: 0 })
        {
            return Result<BenchRequest>.Fail($"invalid design '{design}' (expected linux, legacy or both)");
        }

        var options = new DmaMapBenchmarkOptions
        {
            Threads = threads,
            Duration = TimeSpan.FromSeconds(seconds),
            Granule = granule,
            Direction = direction.Value,
            DmaTransNs = transNs,
            Type = type.Value,
        };
        return options.Problem() is { } problem
            ? Result<BenchRequest>.Fail(problem)
            : Result<BenchRequest>.Ok(new BenchRequest(options, designs, machinePath, Scaling: scaling));
    }

    /// <summary>Runs the request, once per design, and prints a block per run (a blank line between); returns the exit code.</summary>
    public static int Run(BenchRequest request, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (request.Options.Problem() is { } problem)
        {
            error.WriteLine($"smmulab: {problem}");
            return ExitCodes.BadInput;
        }

        Scenario? scenario = null;
        if (request.MachinePath is not null && !ScenarioLoading.TryLoad(request.MachinePath, error, out scenario))
        {
            return ExitCodes.BadInput;
        }

        if (!OutputTarget.AreDistinct(error, ("--json", request.JsonPath), ("--plot", request.PlotPath))
            || !OutputTarget.TryOpen(request.JsonPath, "JSON report", [request.MachinePath], allowStandardOutput: true, error, out var json)
            || !OutputTarget.TryOpen(request.PlotPath, "plot", [request.MachinePath], allowStandardOutput: false, error, out var plot))
        {
            return ExitCodes.BadInput;
        }

        using var ownedJson = json;
        using var ownedPlot = plot;
        var text = json?.IsStandardOutput == true ? TextWriter.Null : output;
        var results = new List<DmaMapBenchmarkResult>();
        var code = RunDesigns(request, scenario, text, error, results);
        if (code != ExitCodes.Success)
        {
            return code;
        }

        if (plot is not null && plot.WriteAndCommit(s => s.Write(LatencyPlot.Png(LatencySeries.From(results))), output, error) != ExitCodes.Success)
        {
            return ExitCodes.WriteFailed;
        }

        if (json is not null && json.WriteAndCommit(s => DmaMapBenchmarkJson.Write(s, results), output, error) != ExitCodes.Success)
        {
            return ExitCodes.WriteFailed;
        }

        return ExitCodes.Success;
    }

    /// <summary>Runs the request once per design, printing a block per run (a blank line between) and collecting the results.</summary>
    private static int RunDesigns(BenchRequest request, Scenario? scenario, TextWriter output, TextWriter error, List<DmaMapBenchmarkResult> results)
    {
        var designs = request.Designs ?? [scenario?.Invalidation ?? Scenario.DefaultInvalidation];
        for (var i = 0; i < designs.Count; i++)
        {
            IDisposable owner;
            DriverMachine machine;
            DeviceNode device;
            try
            {
                (owner, machine, device) = Build(scenario, InvalidationDesigns.Create(designs[i]));
            }
            catch (ScenarioStepException e)
            {
                error.WriteLine($"smmulab: {e.Message}");
                return ExitCodes.BadInput;
            }

            using (owner)
            {
                DmaMapBenchmarkResult result;
                try
                {
                    result = DmaMapBenchmark.Run(machine, device, request.Options);
                    if (request.Scaling)
                    {
                        // Two slices at least, however short the run (the tests run for a fraction of a second).
                        var slice = TimeSpan.FromTicks(Math.Min(DmaMapBenchmark.DefaultScalingSlice.Ticks, request.Options.Duration.Ticks / 2));
                        result = result with { Scaling = DmaMapBenchmark.MeasureScaling(machine, device, request.Options, slice) };
                    }
                }
                catch (InvalidOperationException e)
                {
                    error.WriteLine($"smmulab: {e.Message}");
                    return ExitCodes.Failed;
                }

                if (i > 0)
                {
                    output.Write('\n');
                }

                output.Write(result.Format());
                results.Add(result);
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>The default machine, or the scenario's SMMUs and devices; the owner disposes the machine.</summary>
    private static (IDisposable Owner, DriverMachine Machine, DeviceNode Device) Build(Scenario? scenario, IInvalidationDesign design)
    {
        if (scenario is null)
        {
            var (machine, device) = DmaMapBenchmark.DefaultMachine(design);
            return (machine, machine, device);
        }

        var (owner, node) = BenchScenarioMachine.Build(scenario, design);
        return (owner, owner.Machine, node);
    }
}
