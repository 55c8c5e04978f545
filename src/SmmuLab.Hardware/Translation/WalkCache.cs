using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Hardware.Translation;

/// <summary>One cached table descriptor, as <see cref="WalkCache.Snapshot"/> reports it.</summary>
/// <param name="Context">Normalized tags; <see cref="TranslationStages.Stage2"/> for a stage-2 table.</param>
/// <param name="Granule">Granule of the tables.</param>
/// <param name="InputBase">First input address the descriptor covers.</param>
/// <param name="RangeShift">log2 of the input range it covers (LevelShift(Level)).</param>
/// <param name="Level">Level of the table descriptor (0..2); the walk resumes at Level + 1.</param>
/// <param name="NextTable">Address of the next-level table (an IPA for a nested stage-1 walk).</param>
/// <param name="Attributes">Stage-1 table attributes accumulated down to and including this descriptor.</param>
internal readonly record struct WalkCacheEntryInfo(
    TranslationContext Context, Granule Granule, ulong InputBase, int RangeShift, int Level, ulong NextTable, TableAttributes Attributes);

/// <summary>
/// A fully associative cache of non-leaf (table) descriptors with LRU replacement, tagged like
/// TLB entries (regime, stages, VMID, ASID) plus granule and level. The walker asks it for the
/// deepest cached table covering an address and resumes the walk there. Invalidation follows
/// <see cref="TlbInvalidation"/>: address-based commands with Leaf = 1 leave it alone. Not
/// thread-safe.
/// </summary>
internal sealed class WalkCache
{
    /// <summary>Table descriptors exist at levels 0-2 only (level 3 holds pages): a level-2 entry is always the deepest.</summary>
    private const int DeepestTableLevel = 2;

    private readonly Entry[] entries;
    private ulong clock;
    private int count;

    /// <summary>The entry found or inserted last; checked first, as consecutive walks mostly share their last table.</summary>
    private int recent;

    public WalkCache(int capacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        entries = new Entry[capacity];
    }

    public int Capacity => entries.Length;

    public int Count => count;

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    public long Inserts { get; private set; }

    public long Evictions { get; private set; }

    public long Invalidated { get; private set; }

    /// <summary>
    /// Finds the deepest cached table descriptor at a level in [<paramref name="startLevel"/>, 2]
    /// that covers <paramref name="inputAddress"/>.
    /// </summary>
    public bool TryFind(in TranslationContext context, Granule granule, ulong inputAddress, int startLevel,
        out int level, out ulong nextTable, out TableAttributes attributes)
    {
        var tag = Tag(context.Normalized, granule);
        var best = -1;

        // The recent entry answers alone when it covers the address at the deepest level: no other
        // entry can be deeper, and the cache never holds two entries for one table descriptor.
        ref var r = ref entries[recent];
        var scan = true;
        if (r.Tag == tag && r.Level == DeepestTableLevel && r.Level >= startLevel && r.Base == (inputAddress & ~((1UL << r.Shift) - 1)))
        {
            best = recent;
            scan = false;
        }

        for (var i = 0; scan && i < entries.Length; i++)
        {
            ref var e = ref entries[i];
            if (e.Tag == tag && e.Level >= startLevel && (best < 0 || e.Level > entries[best].Level)
                && e.Base == (inputAddress & ~((1UL << e.Shift) - 1)))
            {
                best = i;
            }
        }

        if (best < 0)
        {
            Misses++;
            level = -1;
            nextTable = 0;
            attributes = TableAttributes.None;
            return false;
        }

        recent = best;
        ref var hit = ref entries[best];
        hit.Stamp = ++clock;
        Hits++;
        level = hit.Level;
        nextTable = hit.NextTable;
        attributes = hit.Attributes;
        return true;
    }

    /// <summary>Caches the table descriptor read at <paramref name="level"/> for the region of <paramref name="inputAddress"/>.</summary>
    public void Insert(in TranslationContext context, Granule granule, ulong inputAddress, int level, ulong nextTable,
        TableAttributes attributes)
    {
        var tag = Tag(context.Normalized, granule);
        var shift = granule.LevelShift(level);
        var inputBase = inputAddress & ~((1UL << shift) - 1);
        var slot = -1;
        var victim = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            ref var e = ref entries[i];
            if (e.Tag == tag && e.Level == level && e.Base == inputBase)
            {
                slot = i;
                break;
            }

            if (slot < 0 && e.Tag == 0)
            {
                slot = i;
            }

            if (e.Stamp < entries[victim].Stamp)
            {
                victim = i;
            }
        }

        if (slot < 0)
        {
            slot = victim;
            Evictions++;
        }
        else if (entries[slot].Tag == 0)
        {
            count++;
        }

        entries[slot] = new Entry
        {
            Tag = tag,
            Base = inputBase,
            Shift = (byte)shift,
            Level = (byte)level,
            NextTable = nextTable,
            Attributes = attributes,
            Vmid = context.Normalized.Vmid,
            Asid = context.Normalized.Asid,
            Stamp = ++clock,
        };
        recent = slot;
        Inserts++;
    }

    /// <summary>Removes the entries <paramref name="invalidation"/> requires removed; returns how many.</summary>
    public int Invalidate(in TlbInvalidation invalidation)
    {
        // A leaf-only address invalidation never applies to table entries (AppliesToTable).
        if (count == 0 || (invalidation.ByAddress && invalidation.Leaf))
        {
            return 0;
        }

        var removed = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            ref var e = ref entries[i];
            if (e.Tag != 0 && invalidation.AppliesToTable(ContextOf(e), GranuleOf(e.Tag), e.Base, e.Shift, e.Level))
            {
                e = default;
                removed++;
            }
        }

        count -= removed;
        Invalidated += removed;
        return removed;
    }

    /// <summary>Empties the cache (statistics are kept).</summary>
    public void Clear()
    {
        Array.Clear(entries);
        count = 0;
    }

    /// <summary>A copy of the valid entries, for diagnostics and tests.</summary>
    public List<WalkCacheEntryInfo> Snapshot()
    {
        var list = new List<WalkCacheEntryInfo>(count);
        foreach (var e in entries)
        {
            if (e.Tag != 0)
            {
                list.Add(new WalkCacheEntryInfo(ContextOf(e), GranuleOf(e.Tag), e.Base, e.Shift, e.Level, e.NextTable, e.Attributes));
            }
        }

        return list;
    }

    // Tag: bit 63 valid, [15:8] granule shift, [5:4] stages, [1:0] regime, [31:16] VMID, [47:32] ASID.
    private static ulong Tag(in TranslationContext c, Granule g) =>
        (1UL << 63) | ((ulong)c.Asid << 32) | ((ulong)c.Vmid << 16) | ((ulong)g << 8) | ((ulong)c.Stages << 4) | (ulong)c.Regime;

    private static Granule GranuleOf(ulong tag) => (Granule)(byte)(tag >> 8);

    private static TranslationContext ContextOf(in Entry e) =>
        new((TranslationRegime)(e.Tag & 3), (TranslationStages)((e.Tag >> 4) & 3), e.Vmid, e.Asid);

    private struct Entry
    {
        public ulong Tag;
        public ulong Base;
        public ulong NextTable;
        public ulong Stamp;
        public ushort Vmid;
        public ushort Asid;
        public byte Shift;
        public byte Level;
        public TableAttributes Attributes;
    }
}
