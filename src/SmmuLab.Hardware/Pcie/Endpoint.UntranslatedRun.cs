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
    /// it is released, and their data and reports are made after it (a CMD_SYNC consumed meanwhile
    /// waits for them); otherwise one page is translated and moved under the lock. Returns null to go
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
        lock (Gate)
        {
            var longest = device.UnlockedDmaAllowedLocked ? MaxRunPages : 1;
            while (run < longest && end < total)
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

            marked = run == 0 ? null : device.TryMarkInFlightLocked();
            if (marked is null && run == 1)
            {
                // An observer wants the lock for the data and the report: one page, all under it.
                var va = address + (ulong)done;
                var chunk = ChunkAt(va, total - done);
                if (!(write ? memory.TryWrite(pas[0], writeFrom.Slice(done, chunk)) : memory.TryRead(pas[0], readInto.Slice(done, chunk))))
                {
                    return new DmaResult(false, (ulong)done, va, null, 0) { Failure = DmaFailure.NotBacked, PhysicalAddress = pas[0] };
                }

                device.ReportDmaAccess(new DmaAccess(Name, sid, pasid, va, pas[0], chunk, write, FromAtc: false));
                done += chunk;
                run = 0;
            }
        }

        if (marked is not null)
        {
            device.CountPagesFinishedOutsideLock(run);
            try
            {
                for (var i = 0; i < run; i++)
                {
                    var va = address + (ulong)done;
                    var chunk = ChunkAt(va, total - done);
                    if (!(write ? memory.TryWrite(pas[i], writeFrom.Slice(done, chunk)) : memory.TryRead(pas[i], readInto.Slice(done, chunk))))
                    {
                        return new DmaResult(false, (ulong)done, va, null, 0) { Failure = DmaFailure.NotBacked, PhysicalAddress = pas[i] };
                    }

                    device.ReportDmaAccess(new DmaAccess(Name, sid, pasid, va, pas[i], chunk, write, FromAtc: false));
                    done += chunk;
                }
            }
            finally
            {
                SmmuDevice.EndUnlockedDma(marked);
            }
        }

        if (!stopped)
        {
            return null;
        }

        var at = address + (ulong)done;
        if (stop.Outcome != TransactionOutcome.RazWi)
        {
            return DmaResult.Terminated((ulong)done, at, stop, 0);
        }

        // RAZ/WI (a terminated transaction under CD.A = 0): reads see zeros, writes vanish.
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
