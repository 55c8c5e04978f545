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
    /// While every observer allows it (<see cref="SmmuDevice.TryMarkInFlightLocked"/>), up to
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
        lock (Gate)
        {
            if (!device.UnlockedDmaAllowedLocked)
            {
                // An observer wants the lock for the data and the report: one page, all under it.
                return MovePageLocked(device, sid, pasid, address, readInto, writeFrom, write, ref done);
            }

            while (run < MaxRunPages && end < total)
            {
                var va = address + (ulong)end;
                var result = device.Translate(sid, pasid, va, access);
                if (!result.Succeeded)
                {
                    (stop, stopped) = (result, true);
                    break;
                }

                pas[run++] = result.PhysicalAddress;
                end += ChunkAt(va, total - end);
            }

            period = device.GracePeriodsLocked;
            marked = run == 0 ? null : device.TryMarkInFlightLocked();
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
                    var chunk = ChunkAt(va, total - done);
                    if (!(write ? memory.TryWrite(pas[moved], writeFrom.Slice(done, chunk)) : memory.TryRead(pas[moved], readInto.Slice(done, chunk))))
                    {
                        return new DmaResult(false, (ulong)done, va, null, 0) { Failure = DmaFailure.NotBacked, PhysicalAddress = pas[moved] };
                    }

                    device.ReportDmaAccess(new DmaAccess(Name, sid, pasid, va, pas[moved], chunk, write, FromAtc: false));
                    device.CountPagesFinishedOutsideLock(1);
                    done += chunk;
                }
            }
            finally
            {
                SmmuDevice.EndUnlockedDma(marked);
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
        lock (Gate)
        {
            var va = address + (ulong)done;
            var result = device.Translate(sid, pasid, va, write ? AccessKind.Write : AccessKind.Read);
            if (!result.Succeeded)
            {
                return AfterRefusal(result, address, readInto, write, total, ref done);
            }

            var chunk = ChunkAt(va, total - done);
            var pa = result.PhysicalAddress;
            if (!(write ? memory.TryWrite(pa, writeFrom.Slice(done, chunk)) : memory.TryRead(pa, readInto.Slice(done, chunk))))
            {
                return new DmaResult(false, (ulong)done, va, null, 0) { Failure = DmaFailure.NotBacked, PhysicalAddress = pa };
            }

            device.ReportDmaAccess(new DmaAccess(Name, sid, pasid, va, pa, chunk, write, FromAtc: false));
            done += chunk;
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
    /// The data and the report of a page marked in flight (<paramref name="slot"/>), without the
    /// device lock; the mark ends afterwards, whatever happens. False when the PA is not backed.
    /// </summary>
    private bool CopyOutsideLock(SmmuDevice device, AccessesInFlight.Slot slot, in DmaAccess access, Span<byte> readInto, ReadOnlySpan<byte> writeFrom, int done)
    {
        try
        {
            var transferred = access.Write
                ? memory.TryWrite(access.PhysicalAddress, writeFrom.Slice(done, access.Length))
                : memory.TryRead(access.PhysicalAddress, readInto.Slice(done, access.Length));
            if (transferred)
            {
                device.ReportDmaAccess(access);
            }

            return transferred;
        }
        finally
        {
            SmmuDevice.EndUnlockedDma(slot);
        }
    }
}
