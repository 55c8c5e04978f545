using System.CommandLine;
using System.Globalization;
using SmmuLab.Cli.Exploring;
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
/// <c>smmulab check [SCENARIO] [--threads N] [--seconds S] [--explore N] [--explore-random N] [--seed S] [--design D] [--json FILE]</c>:
/// the driver under stress on a machine, every page of DMA judged by the stale-translation oracle
/// (<see cref="StressCheck"/>), then its races explored: <c>--explore-random</c> with real threads
/// and seeded random delays on the same machine, <c>--explore</c> systematically with Coyote on the
/// explorations' own machines (the rewritten copy in <c>explore/</c>, <see cref="RewrittenCopy"/>).
/// Prints DMAs checked, what was explored and every violation or bug with the command line that
/// reruns it (and, with <c>--json</c>, the same as one JSON document); exits 1 on a violation, a
/// failing thread or a bug, 2 on bad input (a missing <c>explore/</c> too), 3 when the JSON
/// document could not be written.
/// </summary>
internal static class CheckCommand
{
    /// <summary>The most iterations of each systematic exploration.</summary>
    public const int MaxIterations = 1_000_000;

    /// <summary>The command with the real designs.</summary>
    public static Command Build() => Build(InvalidationDesigns.Create);

    /// <summary>
    /// The command with designs from <paramref name="designs"/> (tests pass broken ones) and the
    /// rewritten copy in <paramref name="exploreFolder"/> (default: <see cref="RewrittenCopy.DefaultFolder"/>).
    /// </summary>
    public static Command Build(Func<string, Waiter, IInvalidationDesign> designs, string? exploreFolder = null)
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
            Description = "Then explore the driver's races systematically with Coyote: 7 explorations (attach/detach vs unmap+DMA, ATS vs ATC_INV, " +
                $"the command queue, CMDQV, lock-free page-table updates), each on its own machine with the linux design, N schedules each (0-{MaxIterations}); needs explore/ beside the executable",
            DefaultValueFactory = _ => 0,
            HelpName = "N",
        };
        var exploreRandom = new Option<int>("--explore-random")
        {
            Description = "Then run N randomized schedules on the check's machine: fresh machines, real threads, seeded random delays at the driver's ordering points",
            DefaultValueFactory = _ => 0,
            HelpName = "N",
        };
        var seed = new Option<int?>("--seed")
        {
            Description = "Seed of every thread's choices and of the explorations' schedules (default: a random one, printed)",
            HelpName = "S",
        };
        var design = new Option<string?>("--design") { Description = "Invalidation design: linux or legacy (default: the scenario's, else linux)" };
        var json = new Option<string?>("--json")
        {
            Description = "Write the result as one JSON document (docs/json.md) to FILE; '-' for standard output instead of the text",
            HelpName = "FILE",
        };
        var command = new Command("check", "Stress the driver under the stale-translation oracle (map/unmap/DMA threads, attach/detach and ATS churn) and explore its races")
        {
            scenario, threads, seconds, explore, exploreRandom, seed, design, json,
        };
        command.SetAction(parse =>
        {
            var config = parse.InvocationConfiguration;
            using var interrupt = new InterruptSignal(config.Error);
            var options = new StressOptions
            {
                Threads = parse.GetValue(threads),
                Duration = TimeSpan.FromSeconds(parse.GetValue(seconds)),
                Explorations = parse.GetValue(exploreRandom),
                Seed = parse.GetValue(seed) ?? Random.Shared.Next(),
            };
            var terminal = !Console.IsErrorRedirected && ReferenceEquals(config.Error, Console.Error);
            var systematic = new SystematicRequest(parse.GetValue(explore), exploreFolder ?? RewrittenCopy.DefaultFolder, terminal);
            return Run(parse.GetValue(scenario), parse.GetValue(design), options, designs, config.Output, config.Error, interrupt.Token,
                parse.GetValue(json), systematic);
        });
        return command;
    }

    /// <summary>Checks the input, runs, prints (and writes <paramref name="jsonPath"/> when given); returns the exit code.</summary>
    public static int Run(string? path, string? designName, StressOptions options, Func<string, Waiter, IInvalidationDesign> designs,
        TextWriter output, TextWriter error, CancellationToken stop = default, string? jsonPath = null, SystematicRequest? systematic = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        systematic ??= new SystematicRequest(0, RewrittenCopy.DefaultFolder, Terminal: false);
        if (systematic.Iterations is < 0 or > MaxIterations)
        {
            error.WriteLine($"smmulab: invalid number of schedules for --explore, must be in 0-{MaxIterations}");
            return ExitCodes.BadInput;
        }

        var stressing = options.Duration != TimeSpan.Zero || options.Explorations != 0;
        if (!stressing && systematic.Iterations == 0)
        {
            error.WriteLine("smmulab: nothing to do: --seconds 0, no --explore and no --explore-random");
            return ExitCodes.BadInput;
        }

        if (options.Problem() is { } problem && stressing)
        {
            error.WriteLine($"smmulab: {problem}");
            return ExitCodes.BadInput;
        }

        if (systematic.Iterations > 0 && systematic.Prepare(systematic.Folder) is { } missing)
        {
            error.WriteLine($"smmulab: {missing}");
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
        string machine;
        try
        {
            using var probe = rigs(Waiter.Default);
            machine = probe.Describe();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the driver or the model refuses about this machine (a device it cannot
            // attach, an SMMU it cannot probe) is the input's fault: one line, exit 2.
            error.WriteLine($"smmulab: {loaded?.Path ?? "default machine"}: cannot set the machine up for the check: {e.Message}");
            return ExitCodes.BadInput;
        }

        var report = stressing ? StressCheck.Run(rigs, options, stop) : new StressReport(machine, options, null, null, [], []);
        if (systematic.Iterations > 0 && report.Clean && !stop.IsCancellationRequested)
        {
            SystematicPhase? phase;
            string? failed;
            try
            {
                using var progress = new ExploreProgress(error, systematic.Terminal);
                (phase, failed) = systematic.Run(systematic.Folder, (uint)systematic.Iterations, options.Seed, progress.Starting, stop);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Not a bug of the driver (Coyote reports those as results) but of the run itself.
                error.WriteLine($"smmulab: the systematic exploration failed: {e.GetType().Name}: {e.Message}");
                return ExitCodes.Failed;
            }

            if (failed is not null)
            {
                error.WriteLine($"smmulab: {failed}");
                return ExitCodes.BadInput;
            }

            report = report with { Systematic = phase };
        }

        string Again(int seed, bool explored) => Rerun(path, design, options, seed, explored);
        string AgainSystematic(int seed) => RerunSystematic(systematic.Iterations, seed);
        if (json?.IsStandardOutput != true)
        {
            output.Write(report.Format(design, Again, AgainSystematic));
        }

        if (!report.Clean)
        {
            error.WriteLine($"smmulab: check found {report.Violations.Count} violation(s), {report.Failures.Count} failure(s) and {report.Systematic?.Bugs ?? 0} bug(s)");
        }

        if (json is not null)
        {
            var reproduce = report.Reproduce(Again, AgainSystematic);
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
            ? "--seconds 0 --explore-random 1"
            : string.Create(CultureInfo.InvariantCulture, $"--seconds {(int)o.Duration.TotalSeconds}");
        return string.Create(CultureInfo.InvariantCulture, $"{scenario}--design {design} --threads {o.Threads} {phase} --seed {seed}");
    }

    /// <summary>The systematic explorations alone, with the same schedules: the seed and the iterations give them all.</summary>
    private static string RerunSystematic(int iterations, int seed) =>
        string.Create(CultureInfo.InvariantCulture, $"--seconds 0 --explore {iterations} --seed {seed}");
}
