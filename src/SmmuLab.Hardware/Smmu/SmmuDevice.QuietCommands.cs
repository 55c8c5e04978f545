using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Timing;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// Commands of a secondary queue (a CMDQV's VCMDQ) executed without the device lock when taking it
/// could change nothing: a TLBI while the TLB and the walk cache are empty, and a CMD_SYNC that
/// signals nothing. Per-CPU queues then meet in no lock and no shared line of the model, as they
/// meet in none of the hardware's.
/// </summary>
public sealed partial class SmmuDevice
{
    /// <summary>Modeled time of a quiet TLBI and of a quiet CMD_SYNC: what the locked path adds to the clock.</summary>
    private long quietTlbiPicoseconds;
    private long quietSyncPicoseconds;

    /// <summary>
    /// Executes <paramref name="cmd"/> without the device lock when the result is sure to be the
    /// locked path's; false sends the caller to the lock (which also gives every error its CERROR).
    /// Applies only while nothing watches the SMMU's commands (no observer's
    /// <see cref="Observation.ISmmuObserver.WatchesCommands"/>, no invalidation listener),
    /// to a TLBI or a CMD_SYNC with CS = SIG_NONE (the poll Linux uses on a Tegra241 VCMDQ) that is
    /// implemented and has no reserved bit set. Counts the command and its modeled time in the
    /// calling thread's own cell (<see cref="SmmuStatistics.CommandsWithoutLock"/>).
    /// </summary>
    /// <remarks>
    /// ORDERING. Each is a quiet read of <see cref="gate"/> (<see cref="Concurrency.DeviceGate"/>):
    /// no hold that translates overlapped it, so it acts at an instant between two such holds. Holds
    /// that translate nothing (registers, the CMDQ's consumption) add nothing to the TLB and make no
    /// access; what they may change concurrently (a TLBI elsewhere removing entries, an ATC
    /// invalidation timing out) is ordered before or after this command, either being allowed.
    /// <list type="bullet">
    /// <item>A TLBI reads the TLB's and the walk cache's counts of entries: both zero means nothing
    /// to remove. Entries are added only under the lock, by a walk that read the page tables under
    /// it. A walk that finished before the read has its entries counted (the TLBI goes to the lock);
    /// one that overlapped it is caught by the count; one that starts after it reads the
    /// tables after the entry was cleared (the gate's store-buffering pair), so it fills nothing
    /// stale.</item>
    /// <item>A CMD_SYNC waits for the accesses made without the lock that are in flight, as under the
    /// lock, and completes only if no translating hold overlapped: an access under the lock that may have
    /// used a translation from before the TLBIs was then either finished or not yet begun. An ATC
    /// invalidation that timed out (set under the lock) and seen here sends it to the lock, which fails it.</item>
    /// </list>
    /// </remarks>
    private bool TryExecuteQuietly(in Command cmd)
    {
        var sync = cmd.Opcode == Opcode.CMD_SYNC;
        if (!(sync ? (SyncCompletion)cmd.Get(CommandLayouts.Cs) == SyncCompletion.SIG_NONE : cmd.Opcode is >= Opcode.CMD_TLBI_NH_ALL and <= Opcode.CMD_TLBI_NSNH_ALL)
            || CommandLayouts.For(cmd.Opcode) is null || reservedBits.AnySet(cmd) || !IsImplemented(cmd))
        {
            return false;
        }

        // Everything the locked path would read is read inside the quiet window: the observers and
        // the listener (attached under the lock), CR2, the TLB, the ATC time-out.
        if (!gate.TryBeginQuiet(out var sequence) || commandsWatched || Volatile.Read(ref invalidationListener) is not null)
        {
            return false;
        }

        if (sync)
        {
            if (Volatile.Read(ref atcInvalidationTimedOut))
            {
                return false;
            }

            WaitForUnlockedDma();
        }
        else if (!TlbInvalidation.TryFromCommand(cmd, out _, Cr2.E2H.IsSet(Volatile.Read(ref cr2)), Features.RangeInvalidation)
            || tlb.Count != 0 || tlb.WalkCache.Count != 0)
        {
            return false;
        }

        if (!gate.StillQuiet(sequence))
        {
            return false;
        }

        Statistics.QuietCommands.Add(1, sync ? quietSyncPicoseconds : quietTlbiPicoseconds);
        return true;
    }

    /// <summary>The clock's picoseconds for the quiet commands, one <see cref="ModeledClock.Picoseconds"/> per advance of the locked path.</summary>
    private void InitialiseQuietCommands()
    {
        var fetch = ModeledClock.Picoseconds(Options.Costs.CommandFetchNs);
        quietTlbiPicoseconds = fetch + ModeledClock.Picoseconds(Options.Costs.InvalidationNs);
        quietSyncPicoseconds = fetch + ModeledClock.Picoseconds(Options.Costs.SyncNs);
    }
}
