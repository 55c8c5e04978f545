using System.Diagnostics;
using System.Globalization;
using SmmuLab.Scenarios;

namespace SmmuLab.Cli.Progress;

/// <summary>
/// Shows where a long run is, on standard error: nothing during the first second; then, on a
/// terminal, one line rewritten four times a second, and otherwise (piped or redirected) one line
/// every five seconds. The run's threads only store the latest figures; a timer prints them.
/// </summary>
internal sealed class ConsoleProgress : IDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private readonly TextWriter error;
    private readonly bool terminal;
    private readonly Stopwatch watch = Stopwatch.StartNew();
    private readonly Timer timer;
    private readonly Lock gate = new();
    private ScenarioProgress latest;
    private int lastLength;
    private bool printed;
    private bool disposed;

    public ConsoleProgress(TextWriter error, bool terminal)
    {
        this.error = error;
        this.terminal = terminal;
        var period = terminal ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(5);
        timer = new Timer(_ => Print(), null, terminal ? Quiet : period, period);
    }

    /// <summary>A progress sink for <see cref="ScenarioRunOptions.Progress"/>.</summary>
    public void Report(ScenarioProgress progress)
    {
        lock (gate)
        {
            if (progress.Buffers == 0 || progress.Step != latest.Step || progress.BuffersDone >= latest.BuffersDone)
            {
                latest = progress;
            }
        }
    }

    /// <summary>The text of one progress line: <c>step 3/10, workload 412,000/1,000,000 buffers (41%), 12.3 s</c>.</summary>
    public static string Describe(ScenarioProgress p, TimeSpan elapsed)
    {
        var text = p.Steps == 0 ? "reading the scenario" : $"step {p.Step + 1}/{p.Steps}";
        if (p.Buffers > 0)
        {
            var percent = (int)(100 * p.BuffersDone / p.Buffers);
            text += $", workload {p.BuffersDone.ToString("N0", CultureInfo.InvariantCulture)}/{p.Buffers.ToString("N0", CultureInfo.InvariantCulture)} buffers ({percent}%)";
        }

        return $"{text}, {elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";
    }

    /// <summary>Stops the timer and, on a terminal, clears the progress line.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            timer.Dispose();
            if (terminal && printed)
            {
                error.Write('\r' + new string(' ', lastLength) + '\r');
                error.Flush();
            }
        }
    }

    private void Print()
    {
        lock (gate)
        {
            if (disposed || watch.Elapsed < Quiet)
            {
                return;
            }

            var line = Describe(latest, watch.Elapsed);
            if (terminal)
            {
                error.Write('\r' + line.PadRight(lastLength));
                lastLength = line.Length;
            }
            else
            {
                error.WriteLine($"smmulab: {line}");
            }

            error.Flush();
            printed = true;
        }
    }
}
