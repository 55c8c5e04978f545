using SmmuLab.Machines.Bench;

namespace SmmuLab.Cli.Commands;

/// <summary>
/// What <c>smmulab bench</c> runs: the benchmark options, the invalidation designs in order (null:
/// the machine's own), the scenario file to take the machine from (null: the default machine), and
/// the JSON report and latency plot to write (null: none; the JSON report may be <c>-</c>), and
/// whether each run is followed by a thread-scaling measurement.
/// </summary>
internal sealed record BenchRequest(DmaMapBenchmarkOptions Options, IReadOnlyList<string>? Designs = null, string? MachinePath = null,
    string? JsonPath = null, string? PlotPath = null, bool Scaling = false);
