namespace SmmuLab.Scenarios;

/// <summary>
/// A scenario file that cannot be run: which file, which line (1-based), which key, and what is
/// wrong. <see cref="Exception.Message"/> is <c>FILE:LINE: KEY: PROBLEM</c>.
/// </summary>
public sealed class ScenarioFormatException(string file, int line, string key, string problem)
    : Exception($"{file}:{line}: {key}: {problem}")
{
    public string File { get; } = file;

    /// <summary>1-based line number.</summary>
    public int Line { get; } = line;

    /// <summary>The key path, e.g. <c>step[2].iova</c> or <c>invalidation</c>.</summary>
    public string Key { get; } = key;

    public string Problem { get; } = problem;
}
