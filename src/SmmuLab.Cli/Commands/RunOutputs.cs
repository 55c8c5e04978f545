namespace SmmuLab.Cli.Commands;

/// <summary>
/// The files <c>smmulab run</c> writes besides its text report, each null when not asked for:
/// the JSON Lines trace (<c>--trace</c>), the JSON report (<c>--json</c>, <c>-</c> for standard
/// output, which then carries it instead of the text) and the Perfetto trace (<c>--perfetto</c>).
/// <paramref name="Quiet"/> (<c>--quiet</c>) leaves the text report and the progress out: only
/// problems reach standard error, and the exit code says how the run went.
/// </summary>
internal sealed record RunOutputs(string? Trace = null, string? Json = null, string? Perfetto = null, bool Quiet = false);
