namespace SmmuLab.Scenarios;

/// <summary>The operation of a [[step]] table.</summary>
public enum StepOp
{
    Attach,
    Detach,
    Map,
    Unmap,
    Dma,
    Flush,
    Wait,
    Workload,
}

/// <summary>What a step's <c>expect</c> key asks for.</summary>
public enum StepExpectation
{
    /// <summary>No <c>expect</c> on a dma step: either outcome passes.</summary>
    Any,

    /// <summary>The step completes (for dma: every byte went through).</summary>
    Ok,

    /// <summary>A dma step faults.</summary>
    Fault,

    /// <summary>The machine refuses the step (<see cref="ScenarioStepException"/>).</summary>
    Error,
}

/// <summary>
/// One [[step]] table: its 0-based index (the trace's <c>step</c>), its line in the file, and
/// what to check. The derived records carry each operation's keys.
/// </summary>
public abstract record ScenarioStep(int Index, int Line, StepExpectation Expect)
{
    public abstract StepOp Op { get; }

    /// <summary>The op name as written in files and traces ("attach", "dma"...).</summary>
    public string OpName => Op.ToString().ToLowerInvariant();

    /// <summary>A one-line description for reports, e.g. <c>map dom 0x10000+0x23000 -> 0x80000000 rw</c>.</summary>
    public abstract string Describe();

    protected static string PasidText(uint? pasid) => pasid is { } p ? $" pasid {p}" : string.Empty;
}

/// <summary>An attach step: <paramref name="Device"/> (or one of its PASIDs) joins <paramref name="Domain"/>.</summary>
public sealed record AttachStep(int Index, int Line, StepExpectation Expect, string Device, string Domain, uint? Pasid)
    : ScenarioStep(Index, Line, Expect)
{
    public override StepOp Op => StepOp.Attach;

    public override string Describe() => $"attach {Device}{PasidText(Pasid)} -> {Domain}";
}

/// <summary>A detach step: <paramref name="Device"/> (or one of its PASIDs) leaves its domain.</summary>
public sealed record DetachStep(int Index, int Line, StepExpectation Expect, string Device, string? Domain, uint? Pasid)
    : ScenarioStep(Index, Line, Expect)
{
    public override StepOp Op => StepOp.Detach;

    public override string Describe() => $"detach {Device}{PasidText(Pasid)}{(Domain is null ? string.Empty : $" from {Domain}")}";
}

/// <summary>A map step: [<paramref name="Iova"/>, + <paramref name="Size"/>) of <paramref name="Domain"/> to <paramref name="Pa"/>.</summary>
public sealed record MapStep(int Index, int Line, StepExpectation Expect, string Domain, ulong Iova, ulong Pa, ulong Size, bool Writable)
    : ScenarioStep(Index, Line, Expect)
{
    public override StepOp Op => StepOp.Map;

    public override string Describe() => $"map {Domain} 0x{Iova:x}+0x{Size:x} -> 0x{Pa:x} {(Writable ? "rw" : "r")}";
}

/// <summary>An unmap step: [<paramref name="Iova"/>, + <paramref name="Size"/>) of <paramref name="Domain"/>.</summary>
public sealed record UnmapStep(int Index, int Line, StepExpectation Expect, string Domain, ulong Iova, ulong Size)
    : ScenarioStep(Index, Line, Expect)
{
    public override StepOp Op => StepOp.Unmap;

    public override string Describe() => $"unmap {Domain} 0x{Iova:x}+0x{Size:x}";
}

/// <summary>A flush step: the whole-domain invalidation of <paramref name="Domain"/>.</summary>
public sealed record FlushStep(int Index, int Line, StepExpectation Expect, string Domain)
    : ScenarioStep(Index, Line, Expect)
{
    public override StepOp Op => StepOp.Flush;

    public override string Describe() => $"flush {Domain}";
}

/// <summary>A dma step: <paramref name="Device"/> reads or writes [<paramref name="Iova"/>, + <paramref name="Size"/>).</summary>
public sealed record DmaStep(int Index, int Line, StepExpectation Expect, string Device, ulong Iova, ulong Size, bool Write, uint? Pasid)
    : ScenarioStep(Index, Line, Expect)
{
    public override StepOp Op => StepOp.Dma;

    public override string Describe() => $"dma {Device}{PasidText(Pasid)} {(Write ? "write" : "read")} 0x{Iova:x}+0x{Size:x}";
}

/// <summary>Simulated time passes (the DMA layer's clock): flush-queue timeouts that fall due fire.</summary>
public sealed record WaitStep(int Index, int Line, StepExpectation Expect, TimeSpan Time)
    : ScenarioStep(Index, Line, Expect)
{
    public override StepOp Op => StepOp.Wait;

    public override string Describe() => $"wait {Workloads.WorkloadText.Duration(Time)}";
}
