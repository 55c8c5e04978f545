using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Machines;

/// <summary>
/// What one SMMU did during a run, taken from its counters at the end, and what the run did in
/// words (<see cref="Log"/>). SmmuLab.Reporting formats it.
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
    /// <c>reserved-fields = "ignore"</c> hides from the queue; IHI0070 4.1.5).
    /// </summary>
    public long ReservedBitCommands { get; init; }

    /// <summary>How the transactions ended; they add up to <see cref="Translations"/>.</summary>
    public TransactionOutcomes Outcomes { get; init; }

    public static RunSummary From(SmmuDevice smmu, IReadOnlyList<string> log)
    {
        var tlb = smmu.TlbStatistics;
        return new RunSummary(smmu.Name, smmu.Statistics.Translations, tlb.Hits, tlb.Misses, smmu.WalkSteps,
            smmu.Statistics.TranslationFaults, [.. smmu.Statistics.CommandCounts()], [.. smmu.Statistics.EventCounts()],
            smmu.Clock.Nanoseconds, log)
        {
            AtsRequests = smmu.Statistics.AtsTranslationRequests,
            ReservedBitCommands = smmu.Statistics.ReservedBitCommands,
            Outcomes = smmu.Statistics.Outcomes,
        };
    }

    public long CommandCount => Commands.Sum(c => c.Count);

    public long SyncCount => Commands.Where(c => c.Opcode == Opcode.CMD_SYNC).Sum(c => c.Count);
}
