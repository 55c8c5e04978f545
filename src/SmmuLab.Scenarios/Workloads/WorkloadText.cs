using System.Globalization;
using SmmuLab.Driver.Dma;
using SmmuLab.Machines.Workloads;

namespace SmmuLab.Scenarios.Workloads;

/// <summary>How workloads are written in scenario files and described in reports.</summary>
internal static class WorkloadText
{
    public static readonly IReadOnlyList<string> Patterns = ["map-dma-unmap", "map-many-unmap-many", "scatter-gather"];

    public static readonly IReadOnlyList<string> Directions = ["bidirectional", "to-device", "from-device"];

    public static string Name(WorkloadPattern pattern) => Patterns[(int)pattern];

    public static WorkloadPattern Pattern(string name) => (WorkloadPattern)Patterns.ToList().IndexOf(name);

    public static string Name(DmaDirection direction) => direction switch
    {
        DmaDirection.ToDevice => "to-device",
        DmaDirection.FromDevice => "from-device",
        _ => "bidirectional",
    };

    public static DmaDirection Direction(string name) => name switch
    {
        "to-device" => DmaDirection.ToDevice,
        "from-device" => DmaDirection.FromDevice,
        _ => DmaDirection.Bidirectional,
    };

    /// <summary><c>map-dma-unmap x1000000 of 4KiB|64KiB, 2 threads, every 1us</c>.</summary>
    public static string Describe(WorkloadSpec spec)
    {
        var sizes = string.Join("|", spec.Sizes.Select(Quantities.FormatBytes));
        var batch = spec.Pattern == WorkloadPattern.MapDmaUnmap ? string.Empty : $" in batches of {spec.Batch}";
        var threads = spec.Threads == 1 ? string.Empty : $", {spec.Threads} threads";
        var interval = spec.Interval > TimeSpan.Zero ? $", every {Duration(spec.Interval)}" : string.Empty;
        return $"{Name(spec.Pattern)} x{spec.Count} of {sizes}{batch} {Name(spec.Direction)}{threads}{interval}";
    }

    /// <summary>A duration in the largest unit that keeps it whole: <c>10ms</c>, <c>1500us</c>, <c>200ns</c>.</summary>
    public static string Duration(TimeSpan time)
    {
        var ns = time.Ticks * 100;
        return ns % 1_000_000_000 == 0 && ns > 0 ? $"{ns / 1_000_000_000}s"
            : ns % 1_000_000 == 0 && ns > 0 ? $"{ns / 1_000_000}ms"
            : ns % 1_000 == 0 ? $"{ns / 1_000}us"
            : $"{ns.ToString(CultureInfo.InvariantCulture)}ns";
    }
}
