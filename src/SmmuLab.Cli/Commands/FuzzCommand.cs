using System.CommandLine;
using System.Globalization;
using System.Text;
using SmmuLab.Cli.Progress;
using SmmuLab.Fuzzing;

namespace SmmuLab.Cli.Commands;

/// <summary>
/// <c>smmulab fuzz [--seconds N] [--seed S] [--cases N]</c>: random STEs, CDs, page tables, command
/// streams, register writes and transactions against the SMMU model (<see cref="FuzzRunner"/>).
/// Prints what the model answered; on a failure (an exception, or an answer that is not the
/// architected one) prints the case, shrunk, and the command line that reruns it, and exits 1.
/// </summary>
internal static class FuzzCommand
{
    /// <summary>The longest run, in seconds (a day).</summary>
    public const int MaxSeconds = 86_400;

    /// <summary>The command against the model.</summary>
    public static Command Build() => Build(FuzzRunner.Model);

    /// <summary>The command against <paramref name="target"/> (tests pass a broken one).</summary>
    public static Command Build(Func<FuzzCase, FuzzStatistics, string?> target)
    {
        var seconds = new Option<int>("--seconds") { Description = $"How long to fuzz (1-{MaxSeconds})", DefaultValueFactory = _ => 10, HelpName = "N" };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the first case; case k uses seed + k (default: a random one, printed)", HelpName = "S" };
        var cases = new Option<long?>("--cases") { Description = "Stop after N cases (with --seed S --cases 1: rerun one case)", HelpName = "N" };
        var command = new Command("fuzz", "Fuzz the SMMU model: random STEs, CDs, page tables, commands, register writes and DMA; every answer must be the architected one")
        {
            seconds, seed, cases,
        };
        command.SetAction(parse =>
        {
            var config = parse.InvocationConfiguration;
            using var interrupt = new InterruptSignal(config.Error);
            return Run(parse.GetValue(seconds), parse.GetValue(seed), parse.GetValue(cases), target, config.Output, config.Error, interrupt.Token);
        });
        return command;
    }

    /// <summary>Checks the input, fuzzes, prints; returns the exit code.</summary>
    public static int Run(int seconds, ulong? seed, long? cases, Func<FuzzCase, FuzzStatistics, string?> target, TextWriter output, TextWriter error,
        CancellationToken stop = default)
    {
        if (seconds is < 1 or > MaxSeconds)
        {
            error.WriteLine($"smmulab: invalid number of seconds, must be in 1-{MaxSeconds}");
            return ExitCodes.BadInput;
        }

        if (cases is < 1)
        {
            error.WriteLine("smmulab: invalid number of cases, must be at least 1");
            return ExitCodes.BadInput;
        }

        var first = seed ?? (ulong)Random.Shared.NextInt64();
        var report = FuzzRunner.Run(first, TimeSpan.FromSeconds(seconds), cases ?? long.MaxValue, target, stop);
        output.Write(Format(report));
        if (report.Failure is not null)
        {
            error.WriteLine($"smmulab: fuzz failure at case seed {report.Failure.CaseSeed}");
            return ExitCodes.Failed;
        }

        return ExitCodes.Success;
    }

    /// <summary>The report's text.</summary>
    public static string Format(FuzzReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Statistics;
        var sb = new StringBuilder();
        var perSecond = s.Cases / Math.Max(report.Elapsed.TotalSeconds, 1e-9);
        sb.AppendLine(CultureInfo.InvariantCulture, $"fuzz: seed {report.Seed}, {report.Elapsed.TotalSeconds:F1} s, {s.Cases} cases ({perSecond:F0}/s), {s.Actions} actions");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  commands {s.Commands} ({s.UndefinedOpcodes} with an undefined opcode); command errors: {FuzzStatistics.Format(s.CommandErrors)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  transactions {s.Transactions} ({s.TransactionsSucceeded} translated or bypassed); faults: {FuzzStatistics.Format(s.Faults)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  event records: {FuzzStatistics.Format(s.Events)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  register writes {s.RegisterWrites}, structure writes {s.StructureWrites}");
        if (report.Failure is { } f)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"FAILURE (case seed {f.CaseSeed}): {f.Problem}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"case, shrunk to {f.Shrunk.Actions.Count} of {f.Case.Actions.Count} actions:");
            foreach (var action in f.Shrunk.Actions)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  {action}");
            }

            sb.AppendLine(CultureInfo.InvariantCulture, $"reproduce: smmulab fuzz --seed {f.CaseSeed} --cases 1");
            sb.AppendLine("result: failure");
        }
        else
        {
            sb.AppendLine("result: no failure");
        }

        return sb.ToString();
    }
}
