using System.Diagnostics;
using SmmuLab.Replay.Events;
using SmmuLab.Replay.Parsing;
using SmmuLab.TestSupport.Traces;

namespace SmmuLab.Benchmarks;

/// <summary>
/// The whole-file measurements of <c>smmulab replay</c>'s input side, which BenchmarkDotNet's
/// in-memory benchmarks do not cover:
/// <c>-- --repeat-trace TRACE TIMES FILE</c> writes a trace (a file, or the name of an example in scenarios/traces) repeated
/// with shifted timestamps (<see cref="TraceRepeater"/>), the input of the 300x replay timings;
/// <c>-- --parse-file FILE [ROUNDS]</c> parses a file as the replay does (bytes, no engine) and
/// prints the best round's wall time and lines per second.
/// </summary>
public static class ReplayTraceFiles
{
    public static void Repeat(string trace, int times, string output, TextWriter log)
    {
        var once = File.ReadAllText(File.Exists(trace) ? trace : RepositoryFiles.Find($"scenarios/traces/{trace}.trace"));

        // Streamed into a temporary file beside the output and moved over it at the end: a file of
        // any size, and never a half-written one under the output's name.
        var partial = output + ".partial";
        using (var writer = new StreamWriter(partial, append: false, new System.Text.UTF8Encoding(false), 1 << 20))
        {
            TraceRepeater.Repeat(once, times, writer);
        }

        File.Move(partial, output, overwrite: true);
        log.WriteLine($"{output}: {trace} x{times}, {new FileInfo(output).Length} bytes");
    }

    public static void Parse(string path, int rounds, TextWriter log)
    {
        var best = TimeSpan.MaxValue;
        long lines = 0;
        for (var r = 0; r < rounds; r++)
        {
            var sw = Stopwatch.StartNew();
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
            var parser = new TraceParser(stream);
            var slot = new TraceEventSlot();
            long events = 0;
            while (parser.TryReadNext(slot))
            {
                events++;
            }

            sw.Stop();
            lines = parser.Diagnostics.Lines;
            best = sw.Elapsed < best ? sw.Elapsed : best;
            log.WriteLine($"round {r}: {lines} lines, {events} events, {sw.Elapsed.TotalMilliseconds:F0} ms");
        }

        log.WriteLine($"best: {best.TotalMilliseconds:F0} ms, {lines / best.TotalSeconds / 1e6:F2} M lines/s, {best.TotalNanoseconds / lines:F0} ns/line");
    }
}
