using System.Runtime.CompilerServices;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Replay.Engine;

/// <summary>
/// Charges the SMMU work of each replayed operation to its <see cref="ReplayOperation"/>: the
/// engine calls <see cref="Charge"/> after every piece of work, so the counters read at one charge
/// are where the next operation starts. Reading every counter is skipped when no modeled time
/// passed (the operation sent no command).
/// </summary>
internal sealed class CostMeter
{
    private readonly List<SmmuDevice> smmus = [];
    private readonly SmmuCost[] byOperation = new SmmuCost[Enum.GetValues<ReplayOperation>().Length];
    private SmmuCost current;

    public IReadOnlyList<SmmuCost> ByOperation => byOperation;

    /// <summary>Adds an SMMU; what it did so far is charged to the operation under way.</summary>
    public void Add(SmmuDevice smmu) => smmus.Add(smmu);

    /// <summary>Everything charged so far, by operation, and in total.</summary>
    public SmmuCost Total => current;

    /// <summary>The modeled time of every SMMU now: the cheap test of whether anything happened.</summary>
    private double ModeledNanoseconds()
    {
        var ns = 0.0;
        foreach (var s in smmus)
        {
            ns += s.Clock.Nanoseconds;
        }

        return ns;
    }

    /// <summary>Charges what happened since the last charge to <paramref name="operation"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Charge(ReplayOperation operation)
    {
        if (ModeledNanoseconds() == current.ModeledNanoseconds)
        {
            return;
        }

        var now = default(SmmuCost);
        foreach (var s in smmus)
        {
            now += SmmuCost.Read(s);
        }

        byOperation[(int)operation] += now - current;
        current = now;
    }
}
