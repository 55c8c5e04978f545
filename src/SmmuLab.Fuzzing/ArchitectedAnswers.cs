using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Fuzzing;

/// <summary>
/// What IHI0070 requires of a transaction, whatever else the case did (5.2, 7.3): a StreamID
/// beyond the stream table is C_BAD_STREAMID (recorded, CR2.RECINVSID = 1); an STE with V = 0 is
/// C_BAD_STE; V = 1 with Config 0b0xx aborts without an event; a bypass STE either passes the
/// address through unchanged or, when another field makes it ILLEGAL, is C_BAD_STE. Every fault
/// is an architected event type, and every output address fits 52 bits.
/// </summary>
public static class ArchitectedAnswers
{
    /// <summary>Judges one transaction; returns the problem or null, and counts it.</summary>
    public static string? Judge(Transaction t, TransactionResult result, ReadOnlySpan<ulong> ste, IReadOnlyList<(ulong Dw0, ulong Sid)> recorded,
        FuzzStatistics stats)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(stats);
        stats.Transactions++;
        if (result.Succeeded)
        {
            stats.TransactionsSucceeded++;
        }
        else
        {
            stats.CountFault(result.Fault?.ToString() ?? $"{result.Outcome}, no event");
        }

        if (result.Fault is { } f && !Enum.IsDefined(f))
        {
            return $"fault of undefined type 0x{(byte)f:x2}";
        }

        if (result.Succeeded && result.PhysicalAddress >> 52 != 0)
        {
            return $"output address 0x{result.PhysicalAddress:x} beyond 52 bits";
        }

        if (t.Sid >= 1u << FuzzMachine.SidBits)
        {
            return Expect(result, recorded, t.Sid, EventId.C_BAD_STREAMID, "a StreamID beyond the stream table");
        }

        if (!Ste.V.IsSet(ste))
        {
            return Expect(result, recorded, t.Sid, EventId.C_BAD_STE, "an STE with V = 0");
        }

        var config = (uint)Ste.Config.Get(ste);
        if (!SteConfig.Enabled(config))
        {
            return result.Outcome == TransactionOutcome.Aborted && result.Fault is null && !recorded.Any(r => r.Sid == t.Sid)
                ? null
                : $"an STE with Config 0b{Convert.ToString(config, 2).PadLeft(3, '0')} must abort without an event, got {Describe(result)}";
        }

        if (config == SteConfig.Bypass && t.Ssid is null && t.Address < 1UL << 40)
        {
            var passed = result.Outcome == TransactionOutcome.Bypassed && result.PhysicalAddress == t.Address;
            var illegal = result.Outcome == TransactionOutcome.Aborted && result.Fault == EventId.C_BAD_STE;
            return passed || illegal ? null : $"a bypass STE must pass 0x{t.Address:x} through or be C_BAD_STE, got {Describe(result)}";
        }

        return null;
    }

    private static string? Expect(TransactionResult result, IReadOnlyList<(ulong Dw0, ulong Sid)> recorded, uint sid, EventId want, string what)
    {
        if (result.Outcome != TransactionOutcome.Aborted || result.Fault != want)
        {
            return $"{what} must abort with {want}, got {Describe(result)}";
        }

        return recorded.Any(r => (EventId)(byte)r.Dw0 == want && r.Sid == sid) ? null : $"{what}: no {want} record for StreamID {sid} in the event queue";
    }

    private static string Describe(TransactionResult r) => $"{r.Outcome}{(r.Fault is { } f ? $" {f}" : string.Empty)} pa 0x{r.PhysicalAddress:x}";
}
