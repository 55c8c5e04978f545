using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Smmu;

/// <summary>The TLB-hit path of <see cref="Translate"/> without the device lock.</summary>
public sealed partial class SmmuDevice
{
    private long tlbHitPicoseconds;

    /// <summary>Modeled time of an ATS request answered from the TLB: the round trip and two TLB hits.</summary>
    private long atsHitPicoseconds;

    /// <summary>
    /// Answers an unobserved transaction from the TLB without taking the device lock, so that
    /// threads translating on one SMMU run in parallel. False sends the caller to the locked path,
    /// which looks again (under the lock) and walks on a miss. Counts the hit, and its modeled time,
    /// in the calling thread's own cell (<see cref="SmmuStatistics.LockFreeHits"/>).
    /// </summary>
    /// <remarks>
    /// ORDERING. Everything read here is changed only under the device lock:
    /// <list type="number">
    /// <item>The configuration: the recent-configuration slot holds an immutable object (one
    /// reference read), valid only for the configuration cache generation it was made in. Any CFGI
    /// moves the generation on, and SMMUEN lives in CR0. Both are read before the TLB lookup and again
    /// after it (behind a load-load barrier): if either changed, the hit is dropped. So the
    /// configuration used was current during the whole lookup.</item>
    /// <item>The entry: <see cref="Tlb.TryLookupConcurrent"/> validates it with its set's sequence
    /// count, so it was valid and read whole at one instant of the lookup.</item>
    /// </list>
    /// Hence a hit is what the locked path would have answered at that instant. A TLBI (or CFGI)
    /// consumed before this call started, and so any CMD_SYNC completed before it, has already made
    /// the entry (or the configuration) unusable here. A translation returned while the commands run
    /// is ordered before them, as one under the lock that released it just before would be; keeping
    /// an access made with the result inside the CMD_SYNC's reach is the caller's part (the PCIe
    /// endpoint model marks it in flight first, and a CMD_SYNC waits for it: <see cref="TryBeginUnlockedDma"/>).
    /// </remarks>
    private bool TryTranslateLockFree(uint sid, uint? ssid, ulong address, AccessKind access, out TransactionResult result)
    {
        var generation = configCache.Generation;
        if (CurrentRecentConfig(sid, ssid, generation) is not { FastContext: { } context } recent
            || !LockFreeEnabled
            || !tlb.TryLookupConcurrent(context, address, out var hit) || !hit.Permissions.Allows(recent.Stream.EffectiveAccess(access))
            || !StillCurrent(generation))
        {
            result = default;
            return false;
        }

        Statistics.LockFreeHits.Add(1, tlbHitPicoseconds);
        result = new TransactionResult(TransactionOutcome.Translated, hit.OutputAddress, hit.BlockShift);
        return true;
    }

    /// <summary>
    /// Answers an ATS Translation Request from the TLB without the device lock when the answer is
    /// sure to be the locked path's: full ATS (effective EATS = 0b01, so the completion carries the
    /// final PA), the STE in the configuration cache and a remembered configuration with a TLB
    /// context (no TBI), and a TLB entry granting both read and write. Anything else (a miss, a
    /// page R or W denies, split-stage ATS, a fault to record) goes to the locked path.
    /// </summary>
    /// <remarks>
    /// The ordering is <see cref="TryTranslateLockFree"/>'s: generation and SMMUEN read before and
    /// after the lookup. The counts and modeled time are the locked path's: one request, its round
    /// trip, two TLB hits (its read and write probes) and one STE cache hit, all in the thread's own
    /// cell (<see cref="SmmuStatistics.LockFreeAtsRequests"/>), which the totals add in.
    /// </remarks>
    private bool TryAtsTranslateLockFree(uint sid, uint? pasid, ulong address, out AtsCompletion completion)
    {
        completion = default;
        var generation = configCache.Generation;
        if (!Features.Ats
            || CurrentRecentConfig(sid, pasid, generation) is not { FastContext: { } context } recent
            || !LockFreeEnabled
            || !configCache.TryPeekStream(sid, out var cachedStream) || EffectiveEats(cachedStream) != Eats.Trans
            || EffectiveEats(recent.Stream) != Eats.Trans
            || !tlb.TryLookupConcurrent(context, address, out var hit)
            || !hit.Permissions.Allows(recent.Stream.EffectiveAccess(AccessKind.Read))
            || !hit.Permissions.Allows(recent.Stream.EffectiveAccess(AccessKind.Write))
            || !StillCurrent(generation))
        {
            return false;
        }

        Statistics.LockFreeAtsRequests.Add(1, atsHitPicoseconds);
        var shift = Math.Max(hit.BlockShift, SmallestTranslationUnit);
        completion = new AtsCompletion(AtsStatus.Success, hit.OutputAddress >> shift << shift, shift, true, true);
        return true;
    }

    /// <summary>SMMUEN as a lock-free reader sees it (CR0 changes only under the device lock).</summary>
    private bool LockFreeEnabled => Cr0.SMMUEN.IsSet(Volatile.Read(ref cr0));

    /// <summary>
    /// The second half of the lock-free check: behind a load-load barrier, the configuration cache
    /// generation read before the TLB lookup is still current and the SMMU still enabled.
    /// </summary>
    private bool StillCurrent(long generation)
    {
        Volatile.ReadBarrier();
        return configCache.Generation == generation && LockFreeEnabled;
    }
}
