using System.Diagnostics;
using SmmuLab.Driver.Invalidation;

namespace SmmuLab.Benchmarks;

/// <summary>
/// An A/B comparison that BenchmarkDotNet cannot make: the legacy and Linux designs run in
/// alternating rounds in one process, so drift of a shared, noisy machine hits both alike.
/// <c>dotnet run -c Release --project bench/SmmuLab.Benchmarks -- --interleaved</c>.
/// </summary>
public static class InterleavedComparison
{
    public static void Run(TextWriter output, int rounds = 40, int callsPerRound = 20_000)
    {
        foreach (var ats in new[] { 0, 16 })
        {
            var (legacyMachine, legacy) = InvalidationSetups.Build(InvalidationDesigns.Legacy, smmus: 1, ats);
            var (linuxMachine, linux) = InvalidationSetups.Build(InvalidationDesigns.Linux, smmus: 1, ats);
            var a = new List<double>();
            var b = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                a.Add(Time(() => legacy.InvalidateRange(0x10_0000, 0x4000, 4096, leaf: true), callsPerRound));
                b.Add(Time(() => linux.InvalidateRange(0x10_0000, 0x4000, 4096, leaf: true), callsPerRound));
            }

            a.Sort();
            b.Sort();
            output.WriteLine($"InvalidateRange 16 KiB, 1 SMMU, {ats} ATS StreamIDs: legacy median {a[rounds / 2]:F0} ns, linux median {b[rounds / 2]:F0} ns "
                + $"(linux/legacy {b[rounds / 2] / a[rounds / 2]:F3})");
            legacyMachine.Dispose();
            linuxMachine.Dispose();
        }
    }

    private static double Time(Action call, int n)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            call();
        }

        return sw.Elapsed.TotalNanoseconds / n;
    }
}
