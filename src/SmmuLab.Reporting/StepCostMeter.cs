using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Scenarios;

namespace SmmuLab.Reporting;

/// <summary>
/// Measures what each scenario step cost the hardware: commands consumed, CMD_SYNCs, and modeled
/// nanoseconds (the SMMUs' clocks), summed over every SMMU. Step -1 is setup (probe, tables);
/// what the SMMUs do after the run (teardown) is kept apart under <see cref="int.MaxValue"/>.
/// </summary>
internal sealed class StepCostMeter : IRunObserver
{
    private readonly List<SmmuDevice> devices = [];
    private readonly Dictionary<int, StepCost> costs = [];
    private int step = -1;
    private double clockAtStepStart;

    /// <summary>Costs by step index.</summary>
    public IReadOnlyDictionary<int, StepCost> Costs => costs;

    public void SmmuAdded(string name, SmmuDevice device)
    {
        if (devices.Contains(device))
        {
            return;
        }

        devices.Add(device);
        clockAtStepStart += device.Clock.Nanoseconds;
        device.AddObserver(new DelegateObserver
        {
            OnCommand = (_, seen) =>
            {
                if (!seen.Queue.IsCmdq)
                {
                    return; // the SMMU's own counters, which the comparison matches, describe its CMDQ
                }

                lock (costs)
                {
                    var c = costs.GetValueOrDefault(step);
                    costs[step] = c with { Commands = c.Commands + 1, Syncs = c.Syncs + (seen.Command.Opcode == Opcode.CMD_SYNC ? 1 : 0) };
                }
            },
        });
    }

    /// <summary>Closes the current step's time and starts <paramref name="index"/>.</summary>
    public void StepStarted(int index)
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

    public void RunEnded() => StepStarted(int.MaxValue);
}

/// <summary>The hardware cost of one step.</summary>
public readonly record struct StepCost(long Commands, long Syncs, double ModeledNanoseconds);
