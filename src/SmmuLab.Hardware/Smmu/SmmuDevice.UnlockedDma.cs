using SmmuLab.Hardware.Concurrency;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// Pages of DMA made without the device lock: an endpoint's untranslated access answered by the
/// TLB, its data and its report to observers, kept inside the reach of a CMD_SYNC by a grace
/// period (<see cref="AccessesInFlight"/>) instead of by the lock.
/// </summary>
public sealed partial class SmmuDevice
{
    private readonly AccessesInFlight accessesInFlight = new();

    /// <summary>
    /// False while an attached observer needs every page of DMA reported under the device lock, or
    /// watches translations (<see cref="Observation.ISmmuObserver.AllowsUnlockedDma"/>). Written
    /// under the lock, read by accesses after they are marked in flight.
    /// </summary>
    private volatile bool unlockedDmaAllowed = true;

    /// <summary>
    /// True while an attached observer watches translations (<see cref="Observation.ISmmuObserver.WatchesTranslations"/>):
    /// then every translation is made under the device lock and reported. Written under the lock with the observers.
    /// </summary>
    private volatile bool translationsWatched;

    /// <summary>
    /// True while an attached observer watches commands (<see cref="Observation.ISmmuObserver.WatchesCommands"/>):
    /// then every command is reported, and executed under the device lock. Written under the lock with the observers.
    /// </summary>
    private volatile bool commandsWatched;

    /// <summary>Caller holds the device lock: whether pages translated now may move their data outside it (<see cref="MarkInFlightLocked"/>).</summary>
    internal bool UnlockedDmaAllowedLocked => unlockedDmaAllowed;

    /// <summary>Grace periods (CMD_SYNC, SMMUEN or GBPA changes, observer changes) that waited for a page of DMA in flight.</summary>
    public long GracePeriodWaits => accessesInFlight.Waits;

    /// <summary>
    /// Starts one page of DMA without the device lock: marks it in flight and translates it from the
    /// TLB. True with the result for a hit; the caller then copies the data, calls
    /// <see cref="ReportDmaAccess"/> and ends the mark with <see cref="EndUnlockedDma"/>. False (and
    /// no mark left) when the page needs the locked path: a miss, a fault to record, an observer that
    /// wants the lock.
    /// </summary>
    internal bool TryBeginUnlockedDma(uint sid, uint? ssid, ulong address, AccessKind access, out AccessesInFlight.Slot? slot, out TransactionResult result)
    {
        // Marked first, then the flag and the TLB read (AccessesInFlight's ordering): an observer
        // added after this read waits for this page before it is called from anywhere.
        slot = accessesInFlight.Begin();
        if (unlockedDmaAllowed && TryTranslateLockFree(sid, ssid, address, access, out result))
        {
            Statistics.UnlockedDma.Add(1, 0);
            return true;
        }

        AccessesInFlight.End(slot);
        slot = null;
        result = default;
        return false;
    }

    /// <summary>
    /// Caller holds the device lock, has found <see cref="UnlockedDmaAllowedLocked"/> true during this
    /// hold, and has just translated pages of DMA: marks them in flight so that their data and reports
    /// may go outside the lock (a CMD_SYNC consumed once the lock is released waits for them).
    /// </summary>
    internal AccessesInFlight.Slot MarkInFlightLocked() => accessesInFlight.Begin();

    /// <summary>Caller holds the device lock: the grace periods begun so far, to pass to <see cref="RenewInFlight"/>.</summary>
    internal long GracePeriodsLocked => accessesInFlight.Periods;

    /// <summary>
    /// Between two pages of a run translated under the lock: lets a waiting grace period finish, and
    /// says whether the run's remaining translations may still be used (no grace period began since
    /// <paramref name="period"/>, <see cref="GracePeriodsLocked"/> read when they were made).
    /// </summary>
    internal bool RenewInFlight(AccessesInFlight.Slot slot, long period) => accessesInFlight.Renew(slot, period);

    /// <summary>Counts pages translated under the lock whose data and reports go outside it (<see cref="SmmuStatistics.DmaPagesFinishedOutsideLock"/>).</summary>
    internal void CountPagesFinishedOutsideLock(int pages) => Statistics.UnlockedDma.Add(0, pages);

    /// <summary>Ends a page of DMA <see cref="TryBeginUnlockedDma"/> started (after its data and its report).</summary>
    internal static void EndUnlockedDma(AccessesInFlight.Slot slot) => AccessesInFlight.End(slot);

    /// <summary>
    /// Caller holds the device lock and has made a change that removes translations visible: returns
    /// once no page of DMA that may have used what it removed is still under way.
    /// </summary>
    private void WaitForUnlockedDma() => accessesInFlight.WaitForAccessesInFlight();

    /// <summary>Caller holds the device lock: recomputes whether observers allow unlocked DMA, and waits out pages begun before a refusal.</summary>
    private void ObserversChanged()
    {
        var allowed = observer?.AllowsUnlockedDma ?? true;
        unlockedDmaAllowed = allowed;
        translationsWatched = observer?.WatchesTranslations ?? false;
        commandsWatched = observer?.WatchesCommands ?? false;
        if (!allowed)
        {
            WaitForUnlockedDma();
        }
    }
}
