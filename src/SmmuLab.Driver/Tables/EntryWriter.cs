using System.Numerics;
using SmmuLab.Architecture.Memory;

namespace SmmuLab.Driver.Tables;

/// <summary>How <see cref="EntryWriter"/> carried out an update.</summary>
internal enum EntryUpdateKind
{
    /// <summary>The entry already equalled the target: nothing was stored, no sync.</summary>
    Unchanged,

    /// <summary>No used bit needed a change: the target was stored in one step.</summary>
    Direct,

    /// <summary>Used bits changed in exactly one qword: unused bits, then that qword, then clean-up.</summary>
    Hitless,

    /// <summary>Used bits changed in two or more qwords: V=0 first, then the rest, then qword 0.</summary>
    Disruptive,
}

/// <summary>
/// Rewrites a live STE or CD in place so that the SMMU, which may fetch the entry at any moment and
/// caches it between syncs, only ever sees the old configuration, the new one, or (when both cannot
/// be avoided) an invalid entry (Linux: <c>arm_smmu_write_entry</c>).
/// </summary>
/// <remarks>
/// A qword is <em>critical</em> when, after every bit the current entry ignores has been given its
/// target value, some bit the target uses still differs. With one critical qword the update is
/// hitless: (1) store all ignored bits except in the critical qword, (2) store the critical qword,
/// (3) store the full target, which clears bits the target ignores. With two or more the update is
/// disruptive: (1) store qword 0 = 0 (V=0), (2) store qwords 1..7, (3) store qword 0. With none the
/// target is stored at once. A step stores only qwords that differ, each as one 64-bit store, and is
/// followed by <see cref="EntryWriterOps.Sync"/> only if it stored something. The writer keeps no
/// state and allocates nothing; it assumes it is the entry's only writer.
/// </remarks>
internal sealed class EntryWriter(EntryWriterOps ops)
{
    /// <summary>Qwords in an STE or CD.</summary>
    public const int Qwords = 8;

    public EntryWriterOps Ops { get; } = ops ?? throw new ArgumentNullException(nameof(ops));

    /// <summary>Rewrites the entry held in <paramref name="entry"/> (8 qwords) to <paramref name="target"/>.</summary>
    public EntryUpdateKind Write(Span<ulong> entry, ReadOnlySpan<ulong> target)
    {
        CheckLength(entry.Length, nameof(entry));
        return Write(new SpanEntryQwords(entry), target);
    }

    /// <summary>Rewrites the entry at <paramref name="address"/> in DMA memory to <paramref name="target"/>.</summary>
    public EntryUpdateKind Write(IPhysicalMemory memory, ulong address, ReadOnlySpan<ulong> target)
    {
        ArgumentNullException.ThrowIfNull(memory);
        return Write(new DmaEntryQwords(memory, address), target);
    }

    /// <summary>Rewrites the entry behind <paramref name="entry"/> to <paramref name="target"/>.</summary>
    public EntryUpdateKind Write<TEntry>(TEntry entry, ReadOnlySpan<ulong> target)
        where TEntry : IEntryQwords, allows ref struct
    {
        CheckLength(target.Length, nameof(target));

        // Whatever the caller wrote before (a CD table, page tables) must be visible before the entry
        // that points at it.
        Interlocked.MemoryBarrier();

        Span<ulong> current = stackalloc ulong[Qwords];
        for (var i = 0; i < Qwords; i++)
        {
            current[i] = entry.Read(i);
        }

        Span<ulong> unusedUpdate = stackalloc ulong[Qwords];
        var critical = ComputeCriticalQwords(Ops, current, target, unusedUpdate);
        switch (BitOperations.PopCount((uint)critical))
        {
            case 0:
                return Store(entry, current, target, 0, Qwords) ? EntryUpdateKind.Direct : EntryUpdateKind.Unchanged;

            case 1:
                var index = BitOperations.TrailingZeroCount(critical);

                // The critical qword is written whole in the next step; leaving it alone here saves a
                // sync when it is the only qword that changes.
                unusedUpdate[index] = current[index];
                Store(entry, current, unusedUpdate, 0, Qwords);
                Store(entry, current, target, index, 1);
                Store(entry, current, target, 0, Qwords);
                return EntryUpdateKind.Hitless;

            default:
                unusedUpdate[0] = 0;
                Store(entry, current, unusedUpdate, 0, 1);
                Store(entry, current, target, 1, Qwords - 1);
                Store(entry, current, target, 0, 1);
                return EntryUpdateKind.Disruptive;
        }
    }

    /// <summary>
    /// Computes, for a move from <paramref name="current"/> to <paramref name="target"/>, the entry with
    /// every bit the current entry ignores (or may change freely) set to its target value into
    /// <paramref name="unusedUpdate"/>, and returns the mask of critical qwords (bit i = qword i).
    /// </summary>
    /// <exception cref="ArgumentException">The target sets a bit its own configuration does not use.</exception>
    public static int ComputeCriticalQwords(
        EntryWriterOps ops, ReadOnlySpan<ulong> current, ReadOnlySpan<ulong> target, Span<ulong> unusedUpdate)
    {
        ArgumentNullException.ThrowIfNull(ops);
        CheckLength(current.Length, nameof(current));
        CheckLength(target.Length, nameof(target));
        CheckLength(unusedUpdate.Length, nameof(unusedUpdate));

        Span<ulong> currentUsed = stackalloc ulong[Qwords];
        Span<ulong> targetUsed = stackalloc ulong[Qwords];
        Span<ulong> safe = stackalloc ulong[Qwords];
        ops.GetUsed(current, currentUsed);
        ops.GetUsed(target, targetUsed);
        ops.GetUpdateSafe(current, target, safe);

        var critical = 0;
        for (var i = 0; i < Qwords; i++)
        {
            if ((target[i] & ~targetUsed[i]) != 0)
            {
                throw new ArgumentException(
                    $"target qword {i} sets bits 0x{target[i] & ~targetUsed[i]:x} its configuration does not use",
                    nameof(target));
            }

            // A safe bit counts as free only where both entries use it; elsewhere the unused side
            // orders it.
            var free = ~currentUsed[i] | (safe[i] & currentUsed[i] & targetUsed[i]);
            unusedUpdate[i] = (current[i] & ~free) | (target[i] & free);
            if ((unusedUpdate[i] & targetUsed[i]) != target[i])
            {
                critical |= 1 << i;
            }
        }

        return critical;
    }

    // Stores values[start..start+count) where they differ from the entry, then syncs if anything changed.
    private bool Store<TEntry>(TEntry entry, Span<ulong> current, ReadOnlySpan<ulong> values, int start, int count)
        where TEntry : IEntryQwords, allows ref struct
    {
        var changed = false;
        for (var i = start; i < start + count; i++)
        {
            if (current[i] != values[i])
            {
                entry.Write(i, values[i]);
                current[i] = values[i];
                changed = true;
            }
        }

        if (changed)
        {
            Ops.Sync();
        }

        return changed;
    }

    private static void CheckLength(int length, string name)
    {
        if (length < Qwords)
        {
            throw new ArgumentException($"an entry needs {Qwords} qwords, got {length}", name);
        }
    }
}
