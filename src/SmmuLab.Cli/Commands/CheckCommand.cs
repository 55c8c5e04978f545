using System.CommandLine;
using System.Globalization;
using SmmuLab.Cli.Output;
using SmmuLab.Cli.Progress;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Platform;
using SmmuLab.Reporting;
using SmmuLab.Reporting.Json;
using SmmuLab.Scenarios;
using SmmuLab.Verification.Stress;

namespace SmmuLab.Cli.Commands;

/// <summary>
/// <c>smmulab check [SCENARIO] [--threads N] [--seconds S] [--explore N] [--seed S] [--design D] [--json FILE]</c>:
/// the driver under stress on a machine, every page of DMA judged by the stale-translation oracle
/// (<see cref="StressCheck"/>). Prints DMAs checked, what was explored and every violation with
/// the command line that reruns it (and, with <c>--json</c>, the same as one JSON document); exits 1
/// on a violation or a failing thread, 2 on bad input, 3 when the JSON document could not be written.
/// </summary>
internal static class CheckCommand
{
    /// <summary>The command with the real designs.</summary>
    public static Command Build() => Build(InvalidationDesigns.Create);

    /// <summary>The command with designs from <paramref name="designs"/> (tests pass broken ones).</summary>
    public static Command Build(Func<string, Waiter, IInvalidationDesign> designs)
    {
        var scenario = new Argument<string?>("scenario")
        {
            Description = "A scenario file whose SMMUs and devices to use (its first device does the DMA); a default machine when left out",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var threads = new Option<int>("--threads") { Description = $"Map/unmap/DMA threads, besides one attach/detach and one ATS thread (1-{StressOptions.MaxThreads})", DefaultValueFactory = _ => 2, HelpName = "N" };
        var seconds = new Option<int>("--seconds") { Description = $"Length of the stress phase (0-{StressOptions.MaxSeconds}; 0 skips it)", DefaultValueFactory = _ => 5, HelpName = "S" };
        var explore = new Option<int>("--explore")
        {
            Description = "Then run N randomized schedules: fresh machines, real threads, seeded random delays at the driver's ordering points " +
                $"(not systematic; the systematic Coyote exploration is {StressReportText.CoyoteCommand})",
            DefaultValueFactory = _ => 0,
            HelpName = "N",
        };
        var seed = new Option<int?>("--seed") { Description = "Seed of every thread's choices (default: a random one, printed)", HelpName = "S" };
        var design = new Option<string?>("--design") { Description = "Invalidation design: linux or legacy (default: the scenario's, else linux)" };
        var json = new Option<string?>("--json")
        {
            Description = "Write the result as one JSON document (docs/json.md) to FILE; '-' for standard output instead of the text",
            HelpName = "FILE",
        };
        var command = new Command("check", "Stress the driver under the stale-translation oracle: map/unmap/DMA threads, attach/detach and ATS churn")
        {
            scenario, threads, seconds, explore, seed, design, json,
        };
        command.SetAction(parse =>
        {
            var config = parse.InvocationConfiguration;
            using var interrupt = new InterruptSignal(config.Error);
            var options = new StressOptions
            {
                Threads = parse.GetValue(threads),
                Duration = TimeSpan.FromSeconds(parse.GetValue(seconds)),
                Explorations = parse.GetValue(explore),
                Seed = parse.GetValue(seed) ?? Random.Shared.Next(),
            };
            return Run(parse.GetValue(scenario), parse.GetValue(design), options, designs, config.Output, config.Error, interrupt.Token,
                parse.GetValue(json));
        });
        return command;
    }

    /// <summary>Checks the input, runs, prints (and writes <paramref name="jsonPath"/> when given); returns the exit code.</summary>
    public static int Run(string? path, string? designName, StressOptions options, Func<string, Waiter, IInvalidationDesign> designs,
        TextWriter output, TextWriter error, CancellationToken stop = default, string? jsonPath = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            error.WriteLine($"smmulab: {problem}");
            return ExitCodes.BadInput;
        }

        Scenario? loaded = null;
        if (path is not null && !ScenarioLoading.TryLoad(path, error, out loaded))
        {
            return ExitCodes.BadInput;
        }

        var design = (designName ?? loaded?.Invalidation ?? InvalidationDesigns.Linux).Trim().ToLowerInvariant();
        if (!InvalidationDesigns.Names.Contains(design))
        {
            error.WriteLine($"smmulab: invalid design '{designName}' (expected {string.Join(" or ", InvalidationDesigns.Names)})");
            return ExitCodes.BadInput;
        }

        if (loaded is { Devices.Count: 0 })
        {
            error.WriteLine($"smmulab: {loaded.Path}: the machine has no [[device]] to check");
            return ExitCodes.BadInput;
        }

        if (!OutputTarget.TryOpen(jsonPath, "JSON report", [path], allowStandardOutput: true, error, out var json))
        {
            return ExitCodes.BadInput;
        }

        using var ownedJson = json;
        var rigs = CheckMachines.For(loaded, design, designs);
        try
        {
            rigs(Waiter.Default).Dispose();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the driver or the model refuses about this machine (a device it cannot
            // attach, an SMMU it cannot probe) is the input's fault: one line, exit 2.
            error.WriteLine($"smmulab: {loaded?.Path ?? "default machine"}: cannot set the machine up for the check: {e.Message}");
            return ExitCodes.BadInput;
        }

        var report = StressCheck.Run(rigs, options, stop);
        if (json?.IsStandardOutput != true)
        {
            output.Write(report.Format(design, (seed, explored) => Rerun(path, design, options, seed, explored)));
        }

        if (!report.Clean)
        {
            error.WriteLine($"smmulab: check found {report.Violations.Count} violation(s) and {report.Failures.Count} failure(s)");
        }

        if (json is not null)
        {
            var reproduce = report.Reproduce((seed, explored) => Rerun(path, design, options, seed, explored));
            if (json.WriteAndCommit(s => StressReportJson.Write(s, report, design, reproduce), output, error) != ExitCodes.Success)
            {
                return ExitCodes.WriteFailed;
            }
        }

        return report.Clean ? ExitCodes.Success : ExitCodes.Failed;
    }

    private static string Rerun(string? path, string design, StressOptions o, int seed, bool explored)
    {
        var scenario = path is null ? string.Empty : $"{path} ";
        var phase = explored
            ? "--seconds 0 --explore 1"
            : string.Create(CultureInfo.InvariantCulture, $"--seconds {(int)o.Duration.TotalSeconds}");
        return string.Create(CultureInfo.InvariantCulture, $"{scenario}--design {design} --threads {o.Threads} {phase} --seed {seed}");
    }
}
