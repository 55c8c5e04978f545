using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using SmmuLab.Replay.Engine;

namespace SmmuLab.Benchmarks;

/// <summary>
/// <c>smmulab replay</c>'s engine on the example traces of scenarios/traces, repeated with their
/// timestamps shifted past the copy before and cut to 100,000 lines, read from memory: parse,
/// replay through the DMA layer, the driver and the model, report. Results are per trace line.
/// Target: at least 1,000,000 lines/s.
/// </summary>
[MemoryDiagnoser]
public partial class ReplayBenchmarks
{
    private const int Lines = 100_000;
    private string text = string.Empty;

    [Params("nvme-like", "nic-like")]
    public string Trace { get; set; } = "nvme-like";

    [Params(ReplayMode.Strict, ReplayMode.Deferred)]
    public ReplayMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var once = File.ReadAllText(Find($"scenarios/traces/{Trace}.trace"));
        var copies = (Lines / once.Count(c => c == '\n')) + 1;
        var all = Repeat(once, copies);
        var end = 0;
        for (var n = 0; n < Lines; n++)
        {
            end = all.IndexOf('\n', end) + 1;
        }

        text = all[..end];
    }

    /// <summary>One trace line parsed and replayed (the invocation replays all of them; BenchmarkDotNet divides).</summary>
    [Benchmark(OperationsPerInvoke = Lines)]
    public long ReplayLine()
    {
        var report = ReplayEngine.Run(new StringReader(text), ReplayMachineSpec.Default, new ReplayOptions { Mode = Mode });
        return report.Counters.AllMaps;
    }

    /// <summary>The example trace's events <paramref name="times"/> over, each copy shifted in time past the one before (plus 1 ms).</summary>
    public static string Repeat(string trace, int times)
    {
        var all = trace.Split('\n');
        var header = all.TakeWhile(l => !Stamp().IsMatch(l)).ToList();
        var body = all.Skip(header.Count).Where(l => l.Length > 0).ToList();
        var stamps = body.Select(l => Stamp().Match(l)).Where(m => m.Success).ToList();
        var span = Micros(stamps[^1]) - Micros(stamps[0]) + 1000;
        var sb = new StringBuilder(trace.Length * times);
        foreach (var l in header)
        {
            sb.Append(l).Append('\n');
        }

        for (var k = 0; k < times; k++)
        {
            foreach (var l in body)
            {
                var m = Stamp().Match(l);
                if (!m.Success)
                {
                    sb.Append(l).Append('\n');
                    continue;
                }

                var us = Micros(m) + (k * span);
                sb.Append(l, 0, m.Index)
                    .Append(CultureInfo.InvariantCulture, $" {us / 1_000_000}.{us % 1_000_000:D6}:")
                    .Append(l, m.Index + m.Length, l.Length - m.Index - m.Length)
                    .Append('\n');
            }
        }

        return sb.ToString();
    }

    private static long Micros(Match m) =>
        (long.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) * 1_000_000) + long.Parse(m.Groups[2].ValueSpan, CultureInfo.InvariantCulture);

    /// <summary>A file of the repository, looked for upwards from the benchmark's folder.</summary>
    private static string Find(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, relative);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@" (\d+)\.(\d{6}):")]
    private static partial Regex Stamp();
}
