using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Hardware.Translation;

/// <summary>
/// A set-associative TLB of final translations (stage 1, stage 2 only, or nested combined), tagged
/// by regime, stages, VMID and ASID, with a <see cref="WalkCache"/> of table descriptors beside it.
/// </summary>
/// <remarks>
/// Blocks of any size share one array: the set of an entry is a hash of its input block number
/// (address &gt;&gt; block shift) and VMID, so a lookup probes one set per block size currently
/// present (a 64-bit mask of the shifts in use, smallest first). ASIDs are not hashed, because
/// global entries match every ASID. Lookups and inserts do not allocate. Invalidation scans every
/// entry (TLBI commands are rare next to lookups), or probes the sets of the few blocks an address
/// command names. Not thread-safe for updates: one owner, or a lock around it; the owner's lock-free
/// readers use <see cref="TryLookupConcurrent"/>, which every update supports through per-set
/// sequence counts.
/// <para>
/// A nested entry is the smaller of its stage-1 and stage-2 leaves. When stage 2 is the smaller, the
/// entry is a splinter of the stage-1 block, and it records that block's size (the block base is the
/// entry's VA rounded down to it): a stage-1 invalidation by VA, TTL or range matches the whole
/// stage-1 block, whichever part of it the entry translates (Arm ARM D8.17). Lookups ignore it.
/// </para>
/// </remarks>
internal sealed class Tlb
{
    private const ulong ValidBit = 1UL << 63;

    private readonly Entry[] entries;

    /// <summary>
    /// One sequence count per set: odd while the owner rewrites an entry of the set. A lock-free
    /// reader (<see cref="TryLookupConcurrent"/>) trusts what it read of a set only if the count was
    /// even before and unchanged after.
    /// </summary>
    private readonly int[] setSequence;
    private readonly int ways;
    private readonly uint sets;
    private readonly TlbReplacement replacement;
    private readonly int[] shiftCounts = new int[64];
    private readonly int[] splinterCounts = new int[64];
    private ulong shiftsInUse;
    private ulong splinterShiftsInUse;
    private ulong clock;
    private ulong random;
    private int count;
    private long hits;
    private long misses;
    private long inserts;
    private long evictions;
    private long invalidated;

    public Tlb(TlbOptions? options = null)
    {
        options ??= new TlbOptions();
        options.Validate();
        entries = new Entry[options.Capacity];
        ways = options.Ways;
        sets = (uint)(options.Capacity / options.Ways);
        setSequence = new int[sets];
        replacement = options.Replacement;
        random = options.Seed | 1;
        WalkCache = new WalkCache(options.WalkCacheCapacity);
    }

    /// <summary>The walk cache to hand to <see cref="TranslationWalker"/>; <see cref="Invalidate"/> covers it too.</summary>
    public WalkCache WalkCache { get; }

    public int Capacity => entries.Length;

    public int Ways => ways;

    /// <summary>Valid entries.</summary>
    public int Count => count;

    /// <summary>The owner's counts; hits of <see cref="TryLookupConcurrent"/> are the caller's to count (it counts nothing).</summary>
    public TlbStatistics Statistics => new(hits, misses, inserts, evictions, invalidated);

    /// <summary>
    /// Looks up the translation of <paramref name="address"/>. On a hit <paramref name="result"/> is a
    /// translation of the cached block (output address of <paramref name="address"/> itself, block
    /// shift, level, permissions, global). The caller checks the access against the permissions; on
    /// a denial it re-walks to get the precise fault (a TLB may always miss, so that is allowed).
    /// </summary>
    public bool TryLookup(in TranslationContext context, ulong address, out WalkResult result) => TryLookup(context, address, out result, count: true);

    /// <summary>
    /// <see cref="TryLookup(in TranslationContext, ulong, out WalkResult)"/>; with
    /// <paramref name="count"/> false neither a hit nor a miss is counted, for a fast path that goes
    /// on to the full path on a miss or on a hit whose permissions deny the access (the full path
    /// looks again and counts there: one transaction, one lookup), and counts a hit it keeps with
    /// <see cref="CountHit"/>.
    /// </summary>
    public bool TryLookup(in TranslationContext context, ulong address, out WalkResult result, bool count)
    {
        var c = context.Normalized;
        var tagBase = TagBase(c);
        var all = entries;
        var shifts = shiftsInUse;
        while (shifts != 0)
        {
            var shift = BitOperations.TrailingZeroCount(shifts);
            shifts &= shifts - 1;
            var blockBase = address & ~((1UL << shift) - 1);
            var tag = tagBase | (uint)shift;
            var set = all.AsSpan(SetIndex(blockBase >> shift, c.Vmid) * ways, ways);
            for (var i = 0; i < set.Length; i++)
            {
                ref var e = ref set[i];
                if (e.Tag == tag && e.Base == blockBase && (e.Global || e.Asid == c.Asid))
                {
                    if (replacement == TlbReplacement.Lru)
                    {
                        e.Stamp = ++clock;
                    }

                    if (count)
                    {
                        hits++;
                    }

                    result = WalkResult.Translated(e.OutputBase | (address & ((1UL << shift) - 1)), shift, e.Level, e.Permissions, e.Global);
                    return true;
                }
            }
        }

        if (count)
        {
            misses++;
        }
        result = default;
        return false;
    }

    /// <summary>Counts a hit that an uncounted <see cref="TryLookup(in TranslationContext, ulong, out WalkResult, bool)"/> found and its caller kept.</summary>
    public void CountHit() => hits++;

    /// <summary>
    /// <see cref="TryLookup(in TranslationContext, ulong, out WalkResult)"/> for a reader that does not hold the owner's lock, while the owner may
    /// insert and invalidate; the context must be <see cref="TranslationContext.Normalized"/> already. A hit is an entry that was valid, and read whole, at one instant
    /// during the call; anything doubtful (a set being rewritten, a torn read) is reported as a miss,
    /// for the caller to retry under the lock. Counts nothing and changes nothing (no LRU stamp).
    /// </summary>
    /// <remarks>
    /// ORDERING (a seqlock per set): the owner makes the set's count odd, then rewrites, then makes
    /// it even again, with store-store barriers between (<see cref="BeginSetWrite"/>,
    /// <see cref="EndSetWrite"/>). The reader reads the count (acquire), the entry, then, after a
    /// load-load barrier, the count again: equal and even means no rewrite overlapped the read. An
    /// invalidation that completes before this call starts has made every removed entry's set count
    /// move on, so this call cannot return such an entry; one that completes during the call is
    /// ordered after the instant the hit was read, like a hit under the lock that released it just before.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookupConcurrent(in TranslationContext normalized, ulong address, out WalkResult result)
    {
        var c = normalized;
        var tagBase = TagBase(c);
        var shifts = Volatile.Read(ref shiftsInUse);
        while (shifts != 0)
        {
            var shift = BitOperations.TrailingZeroCount(shifts);
            shifts &= shifts - 1;
            var blockBase = address & ~((1UL << shift) - 1);
            var tag = tagBase | (uint)shift;
            var index = SetIndex(blockBase >> shift, c.Vmid);
            var before = Volatile.Read(ref setSequence[index]);
            if ((before & 1) != 0)
            {
                break;
            }

            var set = entries.AsSpan(index * ways, ways);
            for (var i = 0; i < set.Length; i++)
            {
                ref var e = ref set[i];
                if (e.Tag == tag && e.Base == blockBase && (e.Global || e.Asid == c.Asid))
                {
                    var output = e.OutputBase;
                    var level = e.Level;
                    var permissions = e.Permissions;
                    var global = e.Global;
                    Volatile.ReadBarrier();
                    if (Volatile.Read(ref setSequence[index]) != before)
                    {
                        break;
                    }

                    result = WalkResult.Translated(output | (address & ((1UL << shift) - 1)), shift, level, permissions, global);
                    return true;
                }
            }
        }

        result = default;
        return false;
    }

    /// <summary>
    /// Inserts a successful walk of <paramref name="inputAddress"/> (<paramref name="walk"/>.Ok must be
    /// true). <paramref name="granule"/> is the granule of the stage-1 tables (stage-2 for stage-2-only),
    /// used by range invalidations with TG. For a nested context, <see cref="WalkResult.Stage1BlockShift"/>
    /// names the stage-1 block the entry belongs to. An existing entry for the same block and tags is replaced.
    /// </summary>
    public void Insert(in TranslationContext context, Granule granule, ulong inputAddress, in WalkResult walk)
    {
        if (!walk.Ok)
        {
            throw new ArgumentException("only successful translations are cached", nameof(walk));
        }

        var c = context.Normalized;
        var shift = walk.BlockShift;
        var mask = (1UL << shift) - 1;
        var blockBase = inputAddress & ~mask;
        var global = walk.Global || !c.HasAsid;
        var stage1Shift = c.Stages == TranslationStages.Nested ? Math.Max(walk.Stage1BlockShift, shift) : shift;
        var tag = TagBase(c) | (uint)shift;
        var index = SetIndex(blockBase >> shift, c.Vmid);
        var set = entries.AsSpan(index * ways, ways);
        var slot = -1;
        for (var i = 0; i < set.Length; i++)
        {
            ref var e = ref set[i];
            if (e.Tag == tag && e.Base == blockBase && e.Global == global && (global || e.Asid == c.Asid))
            {
                slot = i;
                break;
            }

            if (slot < 0 && e.Tag == 0)
            {
                slot = i;
            }
        }

        BeginSetWrite(index);
        if (slot < 0)
        {
            slot = Victim(set);
            Remove(ref set[slot]);
            evictions++;
        }
        else if (set[slot].Tag != 0)
        {
            Remove(ref set[slot]);
        }

        set[slot] = new Entry
        {
            Tag = tag,
            Base = blockBase,
            OutputBase = walk.OutputAddress & ~mask,
            Stamp = ++clock,
            Asid = c.Asid,
            Global = global,
            Level = (byte)walk.Level,
            Stage1Shift = (byte)stage1Shift,
            Granule = granule,
            Permissions = walk.Permissions,
        };
        EndSetWrite(index);
        count++;
        if (shiftCounts[shift]++ == 0)
        {
            shiftsInUse |= 1UL << shift;
        }

        if (stage1Shift > shift && splinterCounts[stage1Shift]++ == 0)
        {
            splinterShiftsInUse |= 1UL << stage1Shift;
        }

        inserts++;
    }

    /// <summary>
    /// Applies a TLB invalidation to the TLB and the walk cache; returns the number of entries removed
    /// from both. See <see cref="TlbInvalidation"/> for the rules.
    /// </summary>
    public int Invalidate(in TlbInvalidation invalidation)
    {
        if (invalidation.Regimes == 0)
        {
            return 0;
        }

        var removed = 0;
        if (count != 0 && !TryInvalidateTargeted(invalidation, ref removed))
        {
            for (var i = 0; i < entries.Length; i++)
            {
                ref var e = ref entries[i];
                if (e.Tag != 0 && invalidation.AppliesToLeaf(ContextOf(e), e.Global, e.Granule, e.Base, (int)(e.Tag & 0xFF), e.Level, e.Stage1Shift))
                {
                    BeginSetWrite(i / ways);
                    Remove(ref e);
                    EndSetWrite(i / ways);
                    removed++;
                }
            }
        }

        if (removed != 0)
        {
            invalidated += removed; // written only when it changes: lock-free lookups read this object's fields
        }

        removed += WalkCache.Invalidate(invalidation);
        return removed;
    }

    /// <summary>
    /// An address invalidation touching few blocks probes only the sets those blocks index, for
    /// every block size in use, instead of scanning the whole TLB. It applies when every entry the
    /// command can match is indexed with one known VMID (the command's, or 0 for the EL2 regimes).
    /// While splintered nested entries exist and the command reaches nested entries, the range probed
    /// is widened to the largest stage-1 block among them, since such an entry lies anywhere in its block.
    /// Returns false when the caller must scan.
    /// </summary>
    private bool TryInvalidateTargeted(in TlbInvalidation inv, ref int removed)
    {
        const int MaxProbes = 64;
        const byte nh = 1 << (int)TranslationRegime.Nh;
        if (!inv.ByAddress || (!inv.MatchVmid && (inv.Regimes & nh) != 0))
        {
            return false;
        }

        var vmid = inv.MatchVmid ? inv.Vmid : (ushort)0;
        var first = inv.First;
        var last = inv.Last;
        if (splinterShiftsInUse != 0 && (inv.Stages & (1 << (int)TranslationStages.Nested)) != 0)
        {
            var widest = (1UL << (63 - BitOperations.LeadingZeroCount(splinterShiftsInUse))) - 1;
            first &= ~widest;
            last |= widest;
        }

        var probes = 0;
        for (var shifts = shiftsInUse; shifts != 0; shifts &= shifts - 1)
        {
            var shift = BitOperations.TrailingZeroCount(shifts);
            probes += (int)Math.Min(MaxProbes + 1, ((last >> shift) - (first >> shift)) + 1);
            if (probes > MaxProbes)
            {
                return false;
            }
        }

        for (var shifts = shiftsInUse; shifts != 0; shifts &= shifts - 1)
        {
            var shift = BitOperations.TrailingZeroCount(shifts);
            for (var block = first >> shift; block <= last >> shift; block++)
            {
                var index = SetIndex(block, vmid);
                var set = entries.AsSpan(index * ways, ways);
                for (var i = 0; i < set.Length; i++)
                {
                    ref var e = ref set[i];
                    if (e.Tag != 0 && (int)(e.Tag & 0xFF) == shift && e.Base == block << shift
                        && inv.AppliesToLeaf(ContextOf(e), e.Global, e.Granule, e.Base, shift, e.Level, e.Stage1Shift))
                    {
                        BeginSetWrite(index);
                        Remove(ref e);
                        EndSetWrite(index);
                        removed++;
                    }
                }

                if (block == ulong.MaxValue >> shift)
                {
                    break;
                }
            }
        }

        return true;
    }

    /// <summary>Empties the TLB and the walk cache (statistics are kept).</summary>
    public void Clear()
    {
        for (var i = 0; i < setSequence.Length; i++)
        {
            BeginSetWrite(i);
        }

        Array.Clear(entries);
        Array.Clear(shiftCounts);
        Array.Clear(splinterCounts);
        shiftsInUse = 0;
        splinterShiftsInUse = 0;
        count = 0;
        for (var i = 0; i < setSequence.Length; i++)
        {
            EndSetWrite(i);
        }

        WalkCache.Clear();
    }

    /// <summary>A copy of the valid entries, for diagnostics and tests.</summary>
    public List<TlbEntryInfo> Snapshot()
    {
        var list = new List<TlbEntryInfo>(count);
        foreach (var e in entries)
        {
            if (e.Tag != 0)
            {
                list.Add(new TlbEntryInfo(ContextOf(e), e.Global, e.Granule, e.Base, (int)(e.Tag & 0xFF), e.Level, e.OutputBase, e.Permissions,
                    e.Stage1Shift));
            }
        }

        return list;
    }

    // Tag: bit 63 valid, [31:16] VMID, [13:12] stages, [9:8] regime, [7:0] block shift. ASID is compared separately.
    // An entry is 40 bytes: the tag holds the VMID, which leaves room for the stage-1 block shift.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong TagBase(in TranslationContext c) =>
        ValidBit | ((ulong)c.Vmid << 16) | ((ulong)c.Stages << 12) | ((ulong)c.Regime << 8);

    private static TranslationContext ContextOf(in Entry e) =>
        new((TranslationRegime)((e.Tag >> 8) & 3), (TranslationStages)((e.Tag >> 12) & 3), (ushort)(e.Tag >> 16), e.Asid);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SetIndex(ulong blockNumber, ushort vmid)
    {
        var h = (blockNumber ^ ((ulong)vmid << 40)) * 0x9E37_79B9_7F4A_7C15UL;
        return (int)(((h >> 32) * sets) >> 32);
    }

    /// <summary>
    /// Marks the set that holds blocks of 2^<paramref name="shift"/> bytes at <paramref name="address"/>
    /// as being rewritten (or done), as an update does: for tests of the lock-free readers.
    /// </summary>
    internal void MarkSetRewriting(in TranslationContext context, ulong address, int shift, bool rewriting)
    {
        var index = SetIndex(address >> shift, context.Normalized.Vmid);
        if (rewriting)
        {
            BeginSetWrite(index);
        }
        else
        {
            EndSetWrite(index);
        }
    }

    /// <summary>Makes the set's count odd before its entries change: lock-free readers of the set will retry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void BeginSetWrite(int index)
    {
        Volatile.Write(ref setSequence[index], setSequence[index] + 1);
        Volatile.WriteBarrier();
    }

    /// <summary>Makes the set's count even again once its entries are consistent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EndSetWrite(int index)
    {
        Volatile.WriteBarrier();
        Volatile.Write(ref setSequence[index], setSequence[index] + 1);
    }

    private int Victim(Span<Entry> set)
    {
        if (replacement == TlbReplacement.Random)
        {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            return (int)(random % (ulong)set.Length);
        }

        var victim = 0;
        for (var i = 1; i < set.Length; i++)
        {
            if (set[i].Stamp < set[victim].Stamp)
            {
                victim = i;
            }
        }

        return victim;
    }

    private void Remove(ref Entry e)
    {
        var shift = (int)(e.Tag & 0xFF);
        if (--shiftCounts[shift] == 0)
        {
            shiftsInUse &= ~(1UL << shift);
        }

        if (e.Stage1Shift > shift && --splinterCounts[e.Stage1Shift] == 0)
        {
            splinterShiftsInUse &= ~(1UL << e.Stage1Shift);
        }

        count--;
        e = default;
    }

    [StructLayout(LayoutKind.Auto)]
    private struct Entry
    {
        public ulong Tag;
        public ulong Base;
        public ulong OutputBase;
        public ulong Stamp;
        public ushort Asid;
        public bool Global;
        public byte Level;

        // log2 of the stage-1 block of a nested entry (>= the block shift); the block shift otherwise.
        public byte Stage1Shift;
        public Granule Granule;
        public Permissions Permissions;
    }
}
