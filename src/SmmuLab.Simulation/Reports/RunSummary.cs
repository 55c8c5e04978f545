using System.Text;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Simulation.Reports;

/// <summary>What one SMMU did during a run, taken from its counters at the end.</summary>
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

    public static RunSummary From(SmmuDevice smmu, IReadOnlyList<string> log)
    {
        var tlb = smmu.Tlb.Statistics;
        return new RunSummary(smmu.Name, smmu.Statistics.Translations, tlb.Hits, tlb.Misses, smmu.WalkSteps,
            smmu.Statistics.TranslationFaults, [.. smmu.Statistics.CommandCounts()], [.. smmu.Statistics.EventCounts()],
            smmu.Clock.Nanoseconds, log)
        {
            AtsRequests = smmu.Statistics.AtsTranslationRequests,
            ReservedBitCommands = smmu.Statistics.ReservedBitCommands,
        };
    }

    public long CommandCount => Commands.Sum(c => c.Count);

    public long SyncCount => Commands.Where(c => c.Opcode == Opcode.CMD_SYNC).Sum(c => c.Count);

    /// <summary>A plain-text report for a terminal.</summary>
    public string Format()
    {
        var sb = new StringBuilder();
        foreach (var line in Log)
        {
            sb.AppendLine(line);
        }

        sb.AppendLine();
        sb.AppendLine($"{Smmu}: {Translations} translations, {AtsRequests} ATS translation requests, TLB {TlbHits} hits / {TlbMisses} misses, {WalkSteps} walk steps, {Faults} faults");
        sb.AppendLine($"  commands consumed: {CommandCount} ({SyncCount} CMD_SYNC)");
        foreach (var (op, n) in Commands)
        {
            sb.AppendLine($"    {op,-22} {n,8}");
        }

        if (ReservedBitCommands != 0)
        {
            sb.AppendLine($"  commands with reserved bits set (ignored, IHI0070 4.1.5): {ReservedBitCommands}");
        }

        sb.AppendLine($"  events: {Events.Sum(e => e.Count)}");
        foreach (var (id, n) in Events)
        {
            sb.AppendLine($"    {id,-22} {n,8}");
        }

        sb.AppendLine($"  modeled hardware time: {ModeledNanoseconds / 1000.0:F2} us");
        return sb.ToString();
    }
}
