using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Concurrency;

namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// Counters of what one SMMU did. They are updated under the device lock, so plain increments
/// suffice, except the TLB hits of lock-free translations, which each thread counts in its own
/// cell (<see cref="LockFreeHits"/>) and which the totals include. Reads from other threads see
/// 64-bit values that are each exact but may lag slightly.
/// </summary>
public sealed class SmmuStatistics
{
    /// <summary>Transactions translated from the TLB without the device lock (first count), per thread.</summary>
    internal PerThreadTotals LockFreeHits { get; } = new();

    /// <summary>ATS Translation Requests answered from the TLB without the device lock (first count), per thread.</summary>
    internal PerThreadTotals LockFreeAtsRequests { get; } = new();

    /// <summary>
    /// Pages of endpoint DMA made without the device lock, per thread: first, pages the TLB answered
    /// (translation, data and report all without it); second, pages translated under the lock whose
    /// data and report went outside it.
    /// </summary>
    internal PerThreadTotals UnlockedDma { get; } = new();

    /// <summary>Commands of secondary queues executed without the device lock (first count), per thread, with their modeled time (second).</summary>
    internal PerThreadTotals QuietCommands { get; } = new();

    private readonly long[] eventsById = new long[256];
    private long translations;
    private long translationFaults;
    private long bypassed;
    private long aborted;
    private long atsRequests;
    private long commandErrors;
    private long eventOverflows;
    private long reservedBitCommands;
    private long translatedFromTlb;
    private long translatedAfterWalk;
    private long transactionsBypassed;
    private long transactionsRazWi;
    private long transactionsAborted;

    /// <summary>
    /// Pages of untranslated endpoint DMA the TLB answered and that were made without the device
    /// lock, a CMD_SYNC waiting for them instead (<see cref="SmmuDevice.GracePeriodWaits"/>).
    /// Included in <see cref="Translations"/> like every other TLB hit.
    /// </summary>
    public long UnlockedDmaPages => UnlockedDma.First;

    /// <summary>
    /// Pages of untranslated endpoint DMA translated under the device lock (a walk, usually) whose
    /// data and report to observers were made after the lock was released, marked in flight so that
    /// a CMD_SYNC waits for them.
    /// </summary>
    public long DmaPagesFinishedOutsideLock => UnlockedDma.Second;

    /// <summary>
    /// Commands of secondary queues (a CMDQV's VCMDQs) that were executed without the device lock,
    /// since taking it could change nothing: TLBIs with the TLB empty, CMD_SYNCs that signal nothing.
    /// They are counted with their queue's other commands, like every VCMDQ command.
    /// </summary>
    public long CommandsWithoutLock => QuietCommands.First;

    public long Translations => Interlocked.Read(ref translations) + LockFreeHits.First;

    public long TranslationFaults => Interlocked.Read(ref translationFaults);

    public long Bypassed => Interlocked.Read(ref bypassed);

    public long Aborted => Interlocked.Read(ref aborted);

    public long AtsTranslationRequests => Interlocked.Read(ref atsRequests) + LockFreeAtsRequests.First;

    public long CommandErrors => Interlocked.Read(ref commandErrors);

    public long EventOverflows => Interlocked.Read(ref eventOverflows);

    /// <summary>
    /// Commands consumed from the CMDQ with a reserved bit set, executed with it ignored
    /// (<see cref="ReservedFieldPolicy.Ignore"/>, IHI0070 4.1.5). Always 0 under
    /// <see cref="ReservedFieldPolicy.Error"/>, where such a command is CERROR_ILL instead.
    /// </summary>
    public long ReservedBitCommands => Interlocked.Read(ref reservedBitCommands);

    /// <summary>Commands consumed from the CMDQ, by opcode.</summary>
    public OpcodeCounters CommandsByOpcode { get; } = new();

    public long CommandsConsumed => CommandsByOpcode.Total;

    public long Commands(Opcode op) => CommandsByOpcode[op];

    public long Events(EventId id) => Interlocked.Read(ref eventsById[(byte)id]);

    /// <summary>Non-zero command counts by opcode, in opcode order.</summary>
    public IEnumerable<(Opcode Opcode, long Count)> CommandCounts() => CommandsByOpcode.NonZero();

    /// <summary>Non-zero event counts by type.</summary>
    public IEnumerable<(EventId Id, long Count)> EventCounts()
    {
        for (var i = 0; i < 256; i++)
        {
            var n = Interlocked.Read(ref eventsById[i]);
            if (n != 0)
            {
                yield return ((EventId)i, n);
            }
        }
    }

    internal void CountCommand(Opcode opcode) => CommandsByOpcode.Count(opcode);

    internal void CountEvent(EventId id) => eventsById[(byte)id]++;

    internal void CountTranslation() => translations++;

    /// <summary>
    /// How each untranslated transaction ended (ATS Translation Requests are not transactions):
    /// the five counts add up to <see cref="Translations"/>. <see cref="TranslationFaults"/>,
    /// <see cref="Bypassed"/> and <see cref="Aborted"/> also count what ATS requests met.
    /// </summary>
    public TransactionOutcomes Outcomes => new(Interlocked.Read(ref translatedFromTlb) + LockFreeHits.First, Interlocked.Read(ref translatedAfterWalk),
        Interlocked.Read(ref transactionsBypassed), Interlocked.Read(ref transactionsRazWi), Interlocked.Read(ref transactionsAborted));

    internal void CountTlbHitTransaction() => translatedFromTlb++;

    /// <summary>Counts a transaction that did not take the TLB fast path by its result.</summary>
    internal void CountTransaction(TransactionOutcome outcome, bool fromTlb)
    {
        switch (outcome)
        {
            case TransactionOutcome.Translated when fromTlb:
                translatedFromTlb++;
                break;
            case TransactionOutcome.Translated:
                translatedAfterWalk++;
                break;
            case TransactionOutcome.Bypassed:
                transactionsBypassed++;
                break;
            case TransactionOutcome.RazWi:
                transactionsRazWi++;
                break;
            default:
                transactionsAborted++;
                break;
        }
    }

    internal void CountFault() => translationFaults++;

    internal void CountBypass() => bypassed++;

    internal void CountAbort() => aborted++;

    internal void CountAtsRequest() => atsRequests++;

    internal void CountCommandError() => commandErrors++;

    internal void CountEventOverflow() => eventOverflows++;

    internal void CountReservedBitCommand() => reservedBitCommands++;
}
