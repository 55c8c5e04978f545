using SmmuLab.Hardware.Concurrency;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Pcie;

/// <summary>Untranslated DMA the TLB did not answer: translated under the device lock, a run of pages at a time.</summary>
public sealed partial class Endpoint
{
    /// <summary>Pages translated in one hold of the device lock before their data is moved.</summary>
    private const int MaxRunPages = 32;

    /// <summary>
    /// Translates the pages from <paramref name="done"/> under the device lock and moves their data.
    /// While every observer allows it (<see cref="SmmuDevice.UnlockedDmaAllowedLocked"/>), up to
    /// <see cref="MaxRunPages"/> pages are translated in one hold of the lock, marked in flight before
    /// it is released, and their data and reports are made after it. The mark is renewed between
    /// pages, so a CMD_SYNC consumed meanwhile waits for one page at most; the pages after it are
    /// then translated again. Otherwise one page is translated and moved under the lock. Returns null to go
    /// on from the advanced <paramref name="done"/>, or the transfer's result when it ends here.
    /// </summary>
    /// <remarks>
    /// The run stops at the first page that does not translate, whose result (a fault, already
    /// recorded and signalled) is then returned once the pages before it have moved: it is never
    /// translated twice. The mark is taken after the last translation, so no interrupt is delivered
    /// on this thread while it is held (a handler that issued a CMD_SYNC would wait for itself).
    /// </remarks>
    private DmaResult? UntranslatedRun(SmmuDevice device, uint sid, uint? pasid, ulong address, Span<byte> readInto, ReadOnlySpan<byte> writeFrom,
        bool write, ref int done)
    {
        Span<ulong> pas = stackalloc ulong[MaxRunPages];
        var total = write ? writeFrom.Length : readInto.Length;
        var access = write ? AccessKind.Write : AccessKind.Read;
        var run = 0;
        var end = done;
        TransactionResult stop = default;
        var stopped = false;
        AccessesInFlight.Slot? marked;
        long period;
        using (Gate.EnterToTranslate())
        {
            if (!device.UnlockedDmaAllowedLocked)
            {
                // An observer wants the lock for the data and the report: one page, all under it.
                return MovePageLocked(device, sid, pasid, address, readInto, writeFrom, write, ref done);
            }

            while (run < MaxRunPages && end < total)
            {
                var va = address + (ulong)end;
                var result = device.TranslateLockHeld(sid, pasid, va, access);
                if (!result.Succeeded)
                {
                    (stop, stopped) = (result, true);
                    break;
                }

                pas[run++] = result.PhysicalAddress;
                end += ChunkAt(va, total - end);
            }

            // The allowance was checked under this same hold of the lock, so the mark may be taken.
            period = device.GracePeriodsLocked;
            marked = run == 0 ? null : device.MarkInFlightLocked();
        }

        var moved = 0;
        if (marked is not null)
        {
            try
            {
                // Renewed between pages: a grace period that begins meanwhile waits for one page at most,
                // and the pages after it are not used with translations it may have removed.
                for (; moved < run && (moved == 0 || device.RenewInFlight(marked, period)); moved++)
                {
                    var va = address + (ulong)done;
                    var page = new DmaAccess(Name, sid, pasid, va, pas[moved], ChunkAt(va, total - done), write, FromAtc: false);
                    if (!TryMove(device, page, readInto, writeFrom, done))
                    {
                        return NotBacked(done, page, 0);
                    }

                    done += page.Length;
                }
            }
            finally
            {
                SmmuDevice.EndUnlockedDma(marked);
                device.CountPagesFinishedOutsideLock(moved);
            }
        }

        // Pages a grace period overtook are translated again: by the next run, or, when a fault stopped
        // this one (already recorded), one at a time under the lock, so that it is still the fault
        // returned after them.
        if (moved < run && !stopped)
        {
            return null;
        }

        for (; moved < run; moved++)
        {
            if (MovePageLocked(device, sid, pasid, address, readInto, writeFrom, write, ref done) is { } ended)
            {
                return ended;
            }
        }

        return stopped ? AfterRefusal(stop, address, readInto, write, total, ref done) : null;
    }

    /// <summary>One page translated and moved under the device lock; null to go on from the advanced <paramref name="done"/>.</summary>
    private DmaResult? MovePageLocked(SmmuDevice device, uint sid, uint? pasid, ulong address, Span<byte> readInto, ReadOnlySpan<byte> writeFrom,
        bool write, ref int done)
    {
        var total = write ? writeFrom.Length : readInto.Length;
        using (Gate.EnterToTranslate())
        {
            var va = address + (ulong)done;
            var result = device.TranslateLockHeld(sid, pasid, va, write ? AccessKind.Write : AccessKind.Read);
            if (!result.Succeeded)
            {
                return AfterRefusal(result, address, readInto, write, total, ref done);
            }

            var page = new DmaAccess(Name, sid, pasid, va, result.PhysicalAddress, ChunkAt(va, total - done), write, FromAtc: false);
            if (!TryMove(device, page, readInto, writeFrom, done))
            {
                return NotBacked(done, page, 0);
            }

            done += page.Length;
            return null;
        }
    }

    /// <summary>
    /// The page at <paramref name="done"/> did not translate: RAZ/WI (a terminated transaction under
    /// CD.A = 0) reads zeros or drops the write and goes on (null); anything else ends the transfer.
    /// </summary>
    private static DmaResult? AfterRefusal(in TransactionResult refusal, ulong address, Span<byte> readInto, bool write, int total, ref int done)
    {
        var at = address + (ulong)done;
        if (refusal.Outcome != TransactionOutcome.RazWi)
        {
            return DmaResult.Terminated((ulong)done, at, refusal, 0);
        }

        var skipped = ChunkAt(at, total - done);
        if (!write)
        {
            readInto.Slice(done, skipped).Clear();
        }

        done += skipped;
        return null;
    }

    /// <summary>
    /// The data of one page (<paramref name="page"/>, at <paramref name="done"/> in the caller's buffer)
    /// and its report to the SMMU's observers; false, with nothing reported, when its PA is not backed.
    /// </summary>
    private bool TryMove(SmmuDevice device, in DmaAccess page, Span<byte> readInto, ReadOnlySpan<byte> writeFrom, int done)
    {
        var moved = page.Write
            ? memory.TryWrite(page.PhysicalAddress, writeFrom.Slice(done, page.Length))
            : memory.TryRead(page.PhysicalAddress, readInto.Slice(done, page.Length));
        if (moved)
        {
            device.ReportDmaAccess(page);
        }

        return moved;
    }

    /// <summary>The transfer ends at <paramref name="page"/>, whose PA no memory backs.</summary>
    private static DmaResult NotBacked(int done, in DmaAccess page, int atcHits) =>
        new(false, (ulong)done, page.Address, null, atcHits) { Failure = DmaFailure.NotBacked, PhysicalAddress = page.PhysicalAddress };
}
