namespace SmmuLab.Scenarios;

/// <summary>
/// What one step (or one setup item: an smmu, device or domain table, with index -1) did.
/// <see cref="Passed"/> is false when the step's expectation was not met or setup failed.
/// </summary>
public sealed record StepResult(int Index, int Line, string Kind, string Description, bool Passed, string Outcome)
{
    /// <summary>The DMA outcome of a dma step, else null.</summary>
    public DmaOutcome? Dma { get; init; }

    /// <summary>What a workload step did, else null.</summary>
    public Machines.Workloads.WorkloadResult? Workload { get; init; }

    /// <summary>One report line: <c>#3  line 27  unmap dom 0x10000+0x23000  ok</c>.</summary>
    public string Format()
    {
        var index = Index < 0 ? "setup" : $"#{Index}";
        return $"{index,6}  line {Line,-4} {Description,-52} {(Passed ? string.Empty : "FAIL: ")}{Outcome}";
    }
}
