using SmmuLab.Machines.Workloads;

namespace SmmuLab.Scenarios.Workloads;

/// <summary>Reads the keys of an <c>op = "workload"</c> step.</summary>
internal static class WorkloadStepParser
{
    /// <summary>Most physical memory a workload's buffers may take (threads × batch × largest size).</summary>
    public const ulong MaxBufferMemory = 4UL << 30;

    public static readonly string[] Keys = ["op", "expect", "device", "pattern", "count", "size", "weights", "batch", "threads", "dir", "interval", "seed"];

    public static WorkloadStep Parse(TomlTableReader t, int index, StepExpectation expect, DeviceSpec device, Machines.MemoryMap memory)
    {
        var pattern = WorkloadText.Pattern(t.Choice("pattern", WorkloadText.Patterns, "workload pattern") ?? WorkloadText.Patterns[0]);
        var sizes = t.Has("size") && t.BytesArrayOrSingle("size", WorkloadSpec.MaxBufferBytes) is { } s ? s : [4096];
        var batch = (int?)t.UInt("batch", WorkloadSpec.MaxBatch);
        if (batch is not null && pattern == WorkloadPattern.MapDmaUnmap)
        {
            throw t.Fail("batch", "map-dma-unmap maps one buffer at a time; batch is for map-many-unmap-many and scatter-gather");
        }

        var spec = new WorkloadSpec
        {
            Pattern = pattern,
            Count = (long)(t.UInt("count", long.MaxValue) ?? throw t.Missing("count")),
            Sizes = sizes,
            Weights = t.UIntArray("weights", uint.MaxValue),
            Batch = batch ?? (pattern == WorkloadPattern.MapDmaUnmap ? 1 : 16),
            Threads = (int)(t.UInt("threads", WorkloadSpec.MaxThreads) ?? 1),
            Direction = WorkloadText.Direction(t.Choice("dir", WorkloadText.Directions, "DMA direction") ?? "bidirectional"),
            Interval = t.Duration("interval") ?? TimeSpan.Zero,
            Seed = (int)(t.UInt("seed", int.MaxValue) ?? 1),
        };
        if (spec.Problem() is { } problem)
        {
            var key = problem.StartsWith("weights", StringComparison.Ordinal) ? "weights"
                : problem.StartsWith("threads", StringComparison.Ordinal) ? "threads"
                : problem.StartsWith("count", StringComparison.Ordinal) ? "count"
                : problem.StartsWith("batch", StringComparison.Ordinal) ? "batch" : "size";
            throw t.Fail(key, problem);
        }

        if (spec.BytesPerThread * (ulong)spec.Threads > MaxBufferMemory)
        {
            throw t.Fail("size", $"{spec.Threads} threads × batch {spec.Batch} × {Quantities.FormatBytes(spec.MaxSize)} of buffers exceed the {Quantities.FormatBytes(MaxBufferMemory)} a workload may use");
        }

        var (start, end) = memory.BufferRegion;
        if (spec.BytesPerThread * (ulong)spec.Threads > end - start)
        {
            throw t.Fail("size", $"the buffers ({Quantities.FormatBytes(spec.BytesPerThread * (ulong)spec.Threads)}) do not fit in RAM outside the kernel's region [0x{start:x}, 0x{end:x})");
        }

        return new WorkloadStep(index, t.HeaderLine, expect, device.Name, spec);
    }
}
