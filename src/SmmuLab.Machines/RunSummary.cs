using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Cmdqv;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Machines;

/// <summary>
/// What one SMMU did during a run, taken from its counters at the end, and what the run did in
/// words (<see cref="Log"/>). <see cref="Commands"/> are its own CMDQ's; a Tegra241 CMDQV beside it
/// adds its VCMDQs' (<see cref="Vcmdqs"/>), and the totals (<see cref="CommandCount"/>,
/// <see cref="SyncCount"/>, <see cref="AllCommands"/>) are over every queue. SmmuLab.Reporting formats it.
/// </summary>
public sealed record RunSummary(
    string Smmu,
    long Translations,
    long TlbHits,
    long TlbMisses,
    long WalkSteps,
    long Faults,
    IReadOnlyList<(Opcode Opcode, long Count)> Commands,
    IReadOnlyList<(EventId Id, long Count)> Events,
    double ModeledNanoseconds,
    IReadOnlyList<string> Log)
{
    /// <summary>ATS Translation Requests the SMMU answered (their walks are not counted as translations).</summary>
    public long AtsRequests { get; init; }

    /// <summary>
    /// Commands the SMMU's CMDQ executed with reserved bits set, ignoring them (a driver bug that
    /// <c>reserved-fields = "ignore"</c> hides from the queue; IHI0070 4.1.5). <see cref="AllReservedBitCommands"/> adds the VCMDQs'.
    /// </summary>
    public long ReservedBitCommands { get; init; }

    /// <summary>The VCMDQs of a Tegra241 CMDQV beside the SMMU, in global index order; empty without one.</summary>
    public IReadOnlyList<QueueCommandCounts> Vcmdqs { get; init; } = [];

    /// <summary>Whether a CMDQV's VCMDQs are counted (<see cref="Vcmdqs"/> is not empty).</summary>
    public bool HasVcmdqs => Vcmdqs.Count > 0;

    /// <summary>How the transactions ended; they add up to <see cref="Translations"/>.</summary>
    public TransactionOutcomes Outcomes { get; init; }

    /// <summary>The counters of <paramref name="smmu"/> now, with those of <paramref name="cmdqv"/>'s VCMDQs when it has one.</summary>
    public static RunSummary From(SmmuDevice smmu, IReadOnlyList<string> log, Tegra241Cmdqv? cmdqv = null)
    {
        ArgumentNullException.ThrowIfNull(smmu);
        var tlb = smmu.TlbStatistics;
        return new RunSummary(smmu.Name, smmu.Statistics.Translations, tlb.Hits, tlb.Misses, smmu.WalkSteps,
            smmu.Statistics.TranslationFaults, [.. smmu.Statistics.CommandCounts()], [.. smmu.Statistics.EventCounts()],
            smmu.Clock.Nanoseconds, log)
        {
            AtsRequests = smmu.Statistics.AtsTranslationRequests,
            ReservedBitCommands = smmu.Statistics.ReservedBitCommands,
            Outcomes = smmu.Statistics.Outcomes,
            Vcmdqs = cmdqv is null ? [] : QueueCommandCounts.Of(cmdqv),
        };
    }

    /// <summary>Commands the SMMU's own CMDQ consumed.</summary>
    public long CmdqCommandCount => Commands.Sum(c => c.Count);

    /// <summary>Commands consumed through the VCMDQs of a CMDQV, all of them.</summary>
    public long VcmdqCommandCount => Vcmdqs.Sum(q => q.CommandCount);

    /// <summary>Commands consumed on every queue: <see cref="CmdqCommandCount"/> + <see cref="VcmdqCommandCount"/>.</summary>
    public long CommandCount => CmdqCommandCount + VcmdqCommandCount;

    /// <summary>CMD_SYNCs consumed on every queue.</summary>
    public long SyncCount => AllCommands.Where(c => c.Opcode == Opcode.CMD_SYNC).Sum(c => c.Count);

    /// <summary>Reserved-bit commands of every queue.</summary>
    public long AllReservedBitCommands => ReservedBitCommands + Vcmdqs.Sum(q => q.ReservedBitCommands);

    /// <summary>The SMMU's own CMDQ as a <see cref="QueueCommandCounts"/> (<c>cmdq</c>).</summary>
    public QueueCommandCounts Cmdq => new("cmdq", Commands, ReservedBitCommands);

    /// <summary>Commands of every queue by opcode (non-zero counts, in opcode order); they add up to <see cref="CommandCount"/>.</summary>
    public IReadOnlyList<(Opcode Opcode, long Count)> AllCommands =>
        Vcmdqs.Count == 0
            ? Commands
            : [.. Commands.Concat(Vcmdqs.SelectMany(q => q.Commands)).GroupBy(c => c.Opcode).OrderBy(g => g.Key).Select(g => (g.Key, g.Sum(c => c.Count)))];
}
