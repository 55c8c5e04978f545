using System.Diagnostics;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Verification.Stress;

/// <summary>
/// <c>smmulab check</c>: the driver under stress, judged by the stale-translation oracle. The
/// stress phase runs one machine for <see cref="StressOptions.Duration"/> with real threads (map,
/// unmap and DMA threads in the shared domain, an attach/detach thread, an ATS on/off thread);
/// the explore phase then runs <see cref="StressOptions.Explorations"/> fresh machines, each for a
/// few rounds per thread with a <see cref="ScheduleNoiseWaiter"/> perturbing every driver
/// ordering point. Choices come from the seed (per thread and per exploration), so a run repeats
/// the same operations; the interleaving itself is the operating system's, so a race found once
/// may need a few reruns. The systematic exploration is Coyote's (<see cref="SystematicPhase"/>).
/// </summary>
public static class StressCheck
{
    private const int MaxViolationsKept = 16;

    /// <summary>Runs both phases on machines from <paramref name="rigs"/> (called once per machine with its waiter).</summary>
    public static StressReport Run(Func<Waiter, StressRig> rigs, StressOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(rigs);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var violations = new List<StressViolation>();
        var failures = new List<string>();
        string machine;
        using (var probe = rigs(Waiter.Default))
        {
            machine = probe.Describe();
        }

        StressPhase? stress = null;
        if (options.Duration > TimeSpan.Zero)
        {
            stress = Stress(rigs, options, violations, failures, cancel);
        }

        StressPhase? explore = null;
        if (options.Explorations > 0 && (violations.Count == 0 && failures.Count == 0 || !options.StopAtFirstViolation))
        {
            explore = Explore(rigs, options, violations, failures, cancel);
        }

        return new StressReport(machine, options, stress, explore, violations, failures);
    }

    private static StressPhase Stress(Func<Waiter, StressRig> rigs, StressOptions options, List<StressViolation> violations,
        List<string> failures, CancellationToken cancel)
    {
        var counters = new StressCounters();
        var clock = Stopwatch.StartNew();
        using var rig = rigs(Waiter.Default);
        var deadline = options.Duration;
        var outcome = RunMachine(rig, options, counters, options.Seed, options.MaxRoundsPerThread ?? long.MaxValue, StressThreads.StressSlots, null,
            () => clock.Elapsed >= deadline, cancel);
        Collect(outcome, "stress", 0, options.Seed, violations, failures);
        return new StressPhase("stress", 1, rig.Oracle.PagesChecked, counters, clock.Elapsed, 0, 0);
    }

    private static StressPhase Explore(Func<Waiter, StressRig> rigs, StressOptions options, List<StressViolation> violations,
        List<string> failures, CancellationToken cancel)
    {
        var counters = new StressCounters();
        var clock = Stopwatch.StartNew();
        long pages = 0, points = 0, perturbed = 0;
        var schedules = 0;
        for (var i = 0; i < options.Explorations && !cancel.IsCancellationRequested; i++)
        {
            var seed = unchecked(options.Seed + i);
            var noise = new ScheduleNoiseWaiter(seed);
            var run = new StressCounters();
            using (var rig = rigs(noise))
            {
                var outcome = RunMachine(rig, options, run, seed, options.ExploreRounds, StressThreads.ExploreSlots, noise, static () => false, cancel);
                pages += rig.Oracle.PagesChecked;
                Collect(outcome, "explore", i, seed, violations, failures);
            }

            counters.Add(run);
            points += noise.Points;
            perturbed += noise.Perturbed;
            schedules++;
            if (options.StopAtFirstViolation && (violations.Count > 0 || failures.Count > 0))
            {
                break;
            }
        }

        return new StressPhase("explore", schedules, pages, counters, clock.Elapsed, points, perturbed);
    }

    private static void Collect((IReadOnlyList<OracleViolation> Violations, IReadOnlyList<string> Failures) outcome, string phase, int schedule,
        int seed, List<StressViolation> violations, List<string> failures)
    {
        foreach (var v in outcome.Violations)
        {
            if (violations.Count < MaxViolationsKept)
            {
                violations.Add(new StressViolation(phase, schedule, seed, v));
            }
        }

        failures.AddRange(outcome.Failures.Select(f => $"{phase} schedule {schedule} (seed {seed}): {f}"));
    }

    /// <summary>Runs every thread on one machine until each has done its rounds or <paramref name="timeUp"/>, a violation or a failure stops them.</summary>
    private static (IReadOnlyList<OracleViolation> Violations, IReadOnlyList<string> Failures) RunMachine(StressRig rig, StressOptions options,
        StressCounters counters, int seed, long rounds, int slots, ScheduleNoiseWaiter? noise, Func<bool> timeUp, CancellationToken cancel)
    {
        var failures = new List<string>();
        var stop = 0;
        var violated = 0;
        void OnViolation(OracleViolation _) => Volatile.Write(ref violated, 1);
        rig.Oracle.ViolationFound += OnViolation;
        bool Stopping() => Volatile.Read(ref stop) != 0 || cancel.IsCancellationRequested || timeUp()
            || (options.StopAtFirstViolation && Volatile.Read(ref violated) != 0);

        var body = new StressThreads(rig, counters, Stopping, seed, slots);
        var work = new List<(string Name, int Role, Action Run)>();
        for (var t = 0; t < options.Threads; t++)
        {
            var index = t;
            work.Add(($"map/unmap/DMA {t}", t, () => body.MapUnmapDma(index, rounds)));
        }

        work.Add(("attach/detach", options.Threads, () => body.AttachDetach(options.Threads, options.Threads, rounds)));
        if (rig.Ats is not null)
        {
            work.Add(("ATS on/off", options.Threads + 1, () => body.AtsChurn(options.Threads + 1, options.Threads, rounds)));
        }

        using var start = new Barrier(work.Count);
        var threads = work.Select(w => new Thread(() =>
        {
            noise?.Enroll(w.Role);
            start.SignalAndWait();
            try
            {
                w.Run();
            }
            catch (Exception e)
            {
                lock (failures)
                {
                    failures.Add($"{w.Name} thread: {e.GetType().Name}: {e.Message}");
                }

                Volatile.Write(ref stop, 1);
            }
            finally
            {
                ScheduleNoiseWaiter.Leave();
            }
        })
        { IsBackground = true, Name = $"check {w.Name}" }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        rig.Oracle.ViolationFound -= OnViolation;
        return (rig.Oracle.Violations, failures);
    }
}
