using SmmuLab.Cli.Exploring;
using SmmuLab.Verification.Stress;

namespace SmmuLab.Cli.Commands;

/// <summary>What <c>smmulab check --explore N</c> asks for.</summary>
/// <param name="Iterations">Schedules per exploration; 0: no systematic exploration.</param>
/// <param name="Folder">The rewritten copy to load (<c>explore/</c> beside the executable).</param>
/// <param name="Terminal">Whether standard error is a terminal (a progress line there).</param>
internal sealed record SystematicRequest(int Iterations, string Folder, bool Terminal)
{
    /// <summary>
    /// Runs the explorations: folder, iterations, seed, progress, stop; the phase or a one-line
    /// problem. <see cref="RewrittenCopy.Run"/>; tests give results of their own.
    /// </summary>
    public Func<string, uint, int, Action<int, int, string>?, CancellationToken, (SystematicPhase? Phase, string? Problem)> Run { get; init; } = RewrittenCopy.Run;

    /// <summary>Checks and loads the folder before anything runs: a one-line problem, or null (<see cref="RewrittenCopy.Prepare"/>).</summary>
    public Func<string, string?> Prepare { get; init; } = RewrittenCopy.Prepare;
}
