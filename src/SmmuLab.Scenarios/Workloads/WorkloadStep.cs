using SmmuLab.Machines.Workloads;

namespace SmmuLab.Scenarios.Workloads;

/// <summary>
/// A [[step]] with <c>op = "workload"</c>: generated DMA-API work by a device through the domain
/// it is attached to (<see cref="WorkloadSpec"/>), instead of listed steps.
/// </summary>
public sealed record WorkloadStep(int Index, int Line, StepExpectation Expect, string Device, WorkloadSpec Spec)
    : ScenarioStep(Index, Line, Expect)
{
    public override StepOp Op => StepOp.Workload;

    public override string Describe() => $"workload {Device} {WorkloadText.Describe(Spec)}";
}
