using System.Globalization;

namespace SmmuLab.Cli.Progress;

/// <summary>
/// Which systematic exploration <c>smmulab check --explore</c> is in, on a terminal's standard
/// error: one line rewritten as each starts, cleared at the end. Elsewhere (piped, redirected, tests) nothing.
/// </summary>
internal sealed class ExploreProgress(TextWriter error, bool terminal) : IDisposable
{
    private int lastLength;

    /// <summary>Told as an exploration starts (the entry point's callback).</summary>
    public void Starting(int index, int count, string name)
    {
        if (!terminal)
        {
            return;
        }

        var line = string.Create(CultureInfo.InvariantCulture, $"explore {index + 1}/{count}: {name}");
        error.Write('\r' + line.PadRight(lastLength));
        error.Flush();
        lastLength = line.Length;
    }

    public void Dispose()
    {
        if (terminal && lastLength > 0)
        {
            error.Write('\r' + new string(' ', lastLength) + '\r');
            error.Flush();
        }
    }
}
