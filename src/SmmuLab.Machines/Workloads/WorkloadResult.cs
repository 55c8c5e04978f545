namespace SmmuLab.Machines.Workloads;

/// <summary>What a generated workload did.</summary>
public sealed record WorkloadResult
{
    /// <summary>Buffers mapped, DMAed and unmapped (fewer than asked when stopped or when maps failed).</summary>
    public long Buffers { get; init; }

    /// <summary>DMA API map calls (one per buffer, one per scatter-gather list).</summary>
    public long MapCalls { get; init; }

    public long UnmapCalls { get; init; }

    /// <summary>Map calls that returned DMA_MAPPING_ERROR (the buffer, or list, was skipped).</summary>
    public long MapFailures { get; init; }

    /// <summary>DMA transfers that faulted, and the first fault in words.</summary>
    public long DmaFaults { get; init; }

    public string? FirstFault { get; init; }

    /// <summary>Bytes the device moved.</summary>
    public ulong BytesTransferred { get; init; }

    /// <summary>Wall-clock time of the threads.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>How far the workload moved the DMA clock.</summary>
    public TimeSpan ModeledTime { get; init; }

    /// <summary>The run was stopped (cancellation) before every buffer was done.</summary>
    public bool Stopped { get; init; }

    /// <summary>Buffers per second of wall time.</summary>
    public double BuffersPerSecond => Elapsed > TimeSpan.Zero ? Buffers / Elapsed.TotalSeconds : 0;
}
