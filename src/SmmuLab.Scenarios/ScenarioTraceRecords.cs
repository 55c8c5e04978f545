using SmmuLab.Tracing;
using SmmuLab.Verification;

namespace SmmuLab.Scenarios;

/// <summary>How a run's DMA, step results and oracle violations become trace records.</summary>
internal static class ScenarioTraceRecords
{
    /// <summary>A dma step and what it did.</summary>
    public static DmaTraceRecord Dma(int step, DmaStep dma, DmaOutcome outcome) =>
        new(step, dma.Device, dma.Write, dma.Iova, dma.Size, dma.Pasid, outcome.Ok, outcome.Bytes, outcome.Fault);

    /// <summary>A step's result.</summary>
    public static StepTraceRecord Step(int step, StepResult result) =>
        new(step, result.Kind, result.Line, result.Description, result.Passed, result.Outcome);

    /// <summary>A stale-translation violation, with what killed the translation when the oracle knows it.</summary>
    public static ViolationTraceRecord Violation(int step, OracleViolation violation)
    {
        var kill = violation.KilledBy is { } k
            ? new TraceKill(violation.KilledDomain, k.Step, k.Description,
                new ValueList<TraceKillCommand>(violation.Commands.Select(c => new TraceKillCommand(c.Step, c.Op, c.Command))),
                violation.CommandsDropped)
            : null;
        return new ViolationTraceRecord(step, violation.KindName, violation.Device, violation.Smmu, violation.StreamId, violation.Pasid,
            violation.Iova, violation.PhysicalAddress, violation.Write, violation.FromAtc, violation.Domain, kill);
    }
}
