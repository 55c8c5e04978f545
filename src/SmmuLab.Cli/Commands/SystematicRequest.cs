namespace SmmuLab.Cli.Commands;

/// <summary>What <c>smmulab check --explore N</c> asks for.</summary>
/// <param name="Iterations">Schedules per exploration; 0: no systematic exploration.</param>
/// <param name="Folder">The rewritten copy to load (<c>explore/</c> beside the executable).</param>
/// <param name="Terminal">Whether standard error is a terminal (a progress line there).</param>
internal sealed record SystematicRequest(int Iterations, string Folder, bool Terminal);
