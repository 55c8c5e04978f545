using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Simulation.Reports;

/// <summary>
/// Measures what each scenario step cost the hardware: commands consumed, CMD_SYNCs, and modeled
/// nanoseconds (the SMMUs' clocks), summed over every SMMU. Step -1 is setup (probe, tables).
/// </summary>
public sealed class StepCostMeter
{
    private readonly List<SmmuDevice> devices = [];
    private readonly Dictionary<int, StepCost> costs = [];
    private int step = -1;
    private double clockAtStepStart;

    /// <summary>Costs by step index.</summary>
    public IReadOnlyDictionary<int, StepCost> Costs => costs;

    public void Attach(SmmuDevice device)
    {
        if (devices.Contains(device))
        {
            return;
        }

        devices.Add(device);
        clockAtStepStart += device.Clock.Nanoseconds;
        device.CommandConsumed += (_, cmd) =>
        {
            lock (costs)
            {
                var c = costs.GetValueOrDefault(step);
                costs[step] = c with { Commands = c.Commands + 1, Syncs = c.Syncs + (cmd.Opcode == Opcode.CMD_SYNC ? 1 : 0) };
            }
        };
    }

    /// <summary>Closes the current step's time and starts <paramref name="index"/>.</summary>
    public void BeginStep(int index)
    {
        lock (costs)
        {
            var now = devices.Sum(d => d.Clock.Nanoseconds);
            var c = costs.GetValueOrDefault(step);
            costs[step] = c with { ModeledNanoseconds = c.ModeledNanoseconds + (now - clockAtStepStart) };
            clockAtStepStart = now;
            step = index;
        }
    }
}

/// <summary>The hardware cost of one step.</summary>
public readonly record struct StepCost(long Commands, long Syncs, double ModeledNanoseconds);
