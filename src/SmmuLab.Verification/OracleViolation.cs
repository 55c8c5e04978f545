using System.Text;

namespace SmmuLab.Verification;

/// <summary>
/// A page of DMA that reached memory through a translation software did not allow at that moment.
/// </summary>
/// <param name="Kind">Stale, unmapped or blocked.</param>
/// <param name="Step">The step in which the DMA happened.</param>
/// <param name="Device">The endpoint.</param>
/// <param name="Smmu">The SMMU the endpoint is behind (null if the oracle was not told).</param>
/// <param name="StreamId">The StreamID used.</param>
/// <param name="Pasid">The PASID, or null for the RID.</param>
/// <param name="Iova">The untranslated address of the page accessed.</param>
/// <param name="PhysicalAddress">Where it landed.</param>
/// <param name="Write">Direction.</param>
/// <param name="FromAtc">Translated by the endpoint's ATC rather than by the SMMU (TLB or walk).</param>
/// <param name="Domain">The domain the device (PASID) was attached to when it happened.</param>
/// <param name="KilledDomain">For a stale access, the domain whose mapping was used.</param>
/// <param name="KilledBy">For a stale access, the unmap or detach that ended the translation.</param>
/// <param name="Commands">
/// The commands the device's SMMU consumed from the killing step up to the access: the ones that
/// should have removed the translation.
/// </param>
/// <param name="CommandsDropped">Older commands of that window were no longer remembered.</param>
public sealed record OracleViolation(
    ViolationKind Kind,
    int Step,
    string Device,
    string? Smmu,
    uint StreamId,
    uint? Pasid,
    ulong Iova,
    ulong PhysicalAddress,
    bool Write,
    bool FromAtc,
    string Domain,
    string? KilledDomain,
    OracleKill? KilledBy,
    IReadOnlyList<ConsumedCommand> Commands,
    bool CommandsDropped)
{
    /// <summary>"stale", "unmapped" or "blocked".</summary>
    public string KindName => Kind.ToString().ToLowerInvariant();

    /// <summary>
    /// Report lines: the access, then (for a stale one) what killed it and the commands since.
    /// </summary>
    public string Format(string indent = "  ")
    {
        var sb = new StringBuilder();
        var step = Step < 0 ? "setup" : $"#{Step}";
        var pasid = Pasid is { } p ? $" pasid {p}" : string.Empty;
        var via = FromAtc ? "ATC" : "SMMU";
        sb.Append(indent).Append($"VIOLATION ({KindName}) step {step}: {Device} sid 0x{StreamId:x}{pasid} {(Write ? "write" : "read")} ")
            .Append($"iova 0x{Iova:x} -> pa 0x{PhysicalAddress:x} via {via}, attached to {Domain}");
        sb.AppendLine();
        if (KilledBy is { } kill)
        {
            sb.Append(indent).Append($"    translation of {KilledDomain} killed by {kill.Format()}; ");
            sb.Append(Commands.Count == 0 ? "no commands consumed since" : $"{Commands.Count} commands consumed since on {Smmu}:");
            sb.Append(CommandsDropped ? " (earlier ones no longer remembered)" : string.Empty).AppendLine();
            foreach (var c in Commands)
            {
                sb.Append(indent).Append("      ").AppendLine(c.Format());
            }
        }

        return sb.ToString();
    }
}
