using SmmuLab.Replay.Diagnostics;

namespace SmmuLab.Replay.Engine;

/// <summary>Counts of each <see cref="ReplayProblem"/> with the first few lines of each kept (bounded memory).</summary>
public sealed class ReplayProblems(int samplesPerProblem)
{
    private static readonly int ProblemCount = Enum.GetValues<ReplayProblem>().Length;

    private readonly long[] counts = new long[ProblemCount];
    private readonly List<TraceDiagnosticSample>[] samples = [.. Enumerable.Range(0, ProblemCount).Select(_ => new List<TraceDiagnosticSample>())];

    public long Count(ReplayProblem problem) => counts[(int)problem];

    public IReadOnlyList<TraceDiagnosticSample> Samples(ReplayProblem problem) => samples[(int)problem];

    public long Total => counts.Sum();

    internal void Report(ReplayProblem problem, long line, string what, string detail)
    {
        counts[(int)problem]++;
        var kept = samples[(int)problem];
        if (kept.Count < samplesPerProblem)
        {
            kept.Add(new TraceDiagnosticSample(line, what, detail));
        }
    }
}
