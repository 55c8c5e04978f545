using BenchmarkDotNet.Attributes;
using SmmuLab.Replay.Engine;
using SmmuLab.TestSupport.Traces;

namespace SmmuLab.Benchmarks;

/// <summary>
/// <c>smmulab replay</c>'s engine on the example traces of scenarios/traces, repeated with their
/// timestamps shifted past the copy before and cut to 100,000 lines, read from memory as UTF-8
/// bytes (as the CLI reads a file; parsing runs ahead on a second thread when there is a core): parse,
/// replay through the DMA layer, the driver and the model, report. Results are per trace line.
/// Target: at least 1,000,000 lines/s.
/// </summary>
[MemoryDiagnoser]
public class ReplayBenchmarks
{
    private const int Lines = 100_000;
    private byte[] bytes = [];

    [Params("nvme-like", "nic-like")]
    public string Trace { get; set; } = "nvme-like";

    [Params(ReplayMode.Strict, ReplayMode.Deferred)]
    public ReplayMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var once = File.ReadAllText(RepositoryFiles.Find($"scenarios/traces/{Trace}.trace"));
        var copies = (Lines / once.Count(c => c == '\n')) + 1;
        var all = TraceRepeater.Repeat(once, copies);
        var end = 0;
        for (var n = 0; n < Lines; n++)
        {
            end = all.IndexOf('\n', end) + 1;
        }

        bytes = System.Text.Encoding.UTF8.GetBytes(all[..end]);
    }

    /// <summary>One trace line parsed and replayed (the invocation replays all of them; BenchmarkDotNet divides).</summary>
    [Benchmark(OperationsPerInvoke = Lines)]
    public long ReplayLine()
    {
        var report = ReplayEngine.Run(new MemoryStream(bytes, writable: false), ReplayMachineSpec.Default, new ReplayOptions { Mode = Mode });
        return report.Counters.AllMaps;
    }
}
