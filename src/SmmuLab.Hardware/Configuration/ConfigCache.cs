using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// The SMMU's configuration caches: STEs by StreamID, CDs by (StreamID, CD index), and the
/// intermediate L1STD and L1CD descriptors (IHI0070 5.1-5.4, 16.2). A structure fetched
/// successfully is cached in whatever state it is, so a table change is invisible until the
/// matching CMD_CFGI_* invalidates it (or capacity evicts it). Failed fetches are not cached.
/// </summary>
/// <remarks>
/// Lookups may run on any number of DMA threads and are lock-free and allocation-free when they
/// hit. Fills and invalidations are serialised by one lock; a fill whose walk started before an
/// invalidation is dropped, so a completed CFGI can never be undone by a racing walk.
/// </remarks>
internal sealed class ConfigCache
{
    private readonly object gate = new();
    private readonly ConfigFeatures features;
    private readonly StreamTableWalker steWalker;
    private readonly ContextDescriptorWalker cdWalker;
    private readonly ConcurrentDictionary<uint, StreamConfig> stes = new();
    private readonly ConcurrentDictionary<ulong, ContextConfig> cds = new();
    private readonly ConcurrentDictionary<ulong, ulong> l1Stds = new();
    private readonly ConcurrentDictionary<ulong, ulong> l1Cds = new();
    private long generation;
    private long steHits;
    private long steMisses;
    private long cdHits;
    private long cdMisses;
    private long l1Hits;
    private long invalidations;

    /// <param name="features">The SMMU's features (ID registers).</param>
    /// <param name="memory">Where the stream and CD tables live.</param>
    /// <param name="ipaTranslator">Stage-2 translation of CD-table IPAs for nested STEs.</param>
    /// <param name="steCapacity">STE entries kept (0 disables STE caching).</param>
    /// <param name="cdCapacity">CD entries kept (0 disables CD caching).</param>
    /// <param name="l1Capacity">L1STD and L1CD entries kept, each (0 disables them).</param>
    public ConfigCache(SmmuFeatures features, IDeviceMemory memory, IIpaTranslator? ipaTranslator = null,
        int steCapacity = 256, int cdCapacity = 1024, int l1Capacity = 64)
    {
        this.features = new ConfigFeatures(features);
        steWalker = new StreamTableWalker(this.features, memory);
        cdWalker = new ContextDescriptorWalker(this.features, memory, ipaTranslator);
        SteCapacity = steCapacity;
        CdCapacity = cdCapacity;
        L1Capacity = l1Capacity;
    }

    public int SteCapacity { get; }

    public int CdCapacity { get; }

    public int L1Capacity { get; }

    /// <summary>Stage-2 translation of CD-table IPAs; required before a nested STE is used.</summary>
    public IIpaTranslator? IpaTranslator
    {
        get => cdWalker.IpaTranslator;
        set => cdWalker.IpaTranslator = value;
    }

    /// <summary>Changes with every invalidation: a configuration looked up in an older generation may be stale.</summary>
    public long Generation => Volatile.Read(ref generation);

    /// <summary>Structures fetched from memory so far (STEs, CDs, L1 descriptors).</summary>
    public long Fetches => steWalker.SteReads + cdWalker.CdReads + steWalker.L1Reads + cdWalker.L1Reads;

    public int CachedStes => stes.Count;

    public int CachedCds => cds.Count;

    public int CachedL1Descriptors => l1Stds.Count + l1Cds.Count;

    public ConfigCacheStatistics Statistics => new(
        Interlocked.Read(ref steHits), Interlocked.Read(ref steMisses),
        Interlocked.Read(ref cdHits), Interlocked.Read(ref cdMisses), Interlocked.Read(ref l1Hits),
        steWalker.SteReads, cdWalker.CdReads, steWalker.L1Reads + cdWalker.L1Reads,
        Interlocked.Read(ref invalidations));

    /// <summary>
    /// The configuration for a transaction from <paramref name="sid"/>, with SubstreamID
    /// <paramref name="ssid"/> when it carries one (SSV = 1): the STE and, when stage 1
    /// translates, the CD; or the fault to record, or a silent abort.
    /// </summary>
    public ConfigResult Lookup(in StreamTableRegisters regs, uint cr2, uint sid, uint? ssid = null)
    {
        var epoch = Volatile.Read(ref generation);
        var stream = LookupStream(regs, cr2, sid, ssid, epoch);
        if (!stream.IsOk)
        {
            return stream;
        }

        var ste = stream.Stream!;
        return SubstreamRules.TrySelectCd(ste, ssid, features, out var index, out var noCd)
            ? LookupContext(ste, index, ssid, epoch)
            : noCd;
    }

    /// <summary>The STE of <paramref name="sid"/> only (no SubstreamID rules, no CD).</summary>
    public ConfigResult LookupStream(in StreamTableRegisters regs, uint cr2, uint sid) =>
        LookupStream(regs, cr2, sid, null, Volatile.Read(ref generation));

    /// <summary>
    /// CMD_PREFETCH_CONFIG (4.2.1): loads the STE and, if reachable, the CD into the caches.
    /// Failures are silent: no event is recorded for a prefetch.
    /// </summary>
    public void Prefetch(in StreamTableRegisters regs, uint cr2, uint sid, uint? ssid = null) =>
        _ = Lookup(regs, cr2, sid, ssid);

    /// <summary>
    /// CMD_CFGI_STE (4.3.1): the STE of <paramref name="sid"/> and every CD and L1CD cached
    /// through it; with <paramref name="leaf"/> = false also the L1STD walked to reach it.
    /// </summary>
    public void InvalidateSte(uint sid, bool leaf)
    {
        lock (gate)
        {
            BeginInvalidation();
            stes.TryRemove(sid, out _);
            RemoveContexts(sid, sid);
            if (!leaf)
            {
                foreach (var split in Splits)
                {
                    l1Stds.TryRemove(L1StdKey(split, sid >> split), out _);
                }
            }
        }
    }

    /// <summary>
    /// CMD_CFGI_STE_RANGE (4.3.2): the aligned block of 2^(Range+1) StreamIDs containing
    /// <paramref name="sid"/> (its low Range+1 bits are IGNORED): their STEs, the L1STDs walked
    /// to reach them, and the CDs and L1CDs cached through them. Range = 31 is CMD_CFGI_ALL.
    /// </summary>
    public void InvalidateSteRange(uint sid, uint range)
    {
        if (range >= CommandLayouts.CfgiAllRange)
        {
            InvalidateAll();
            return;
        }

        var count = 1UL << (int)(range + 1);
        var first = sid & ~(count - 1);
        var last = first + count - 1;
        lock (gate)
        {
            BeginInvalidation();
            foreach (var entry in stes)
            {
                if (entry.Key >= first && entry.Key <= last)
                {
                    stes.TryRemove(entry.Key, out _);
                }
            }

            RemoveContexts((uint)first, (uint)last);
            foreach (var entry in l1Stds)
            {
                var split = (int)(entry.Key >> 32);
                var covered = (entry.Key & uint.MaxValue) << split;
                if (covered <= last && covered + (1UL << split) - 1 >= first)
                {
                    l1Stds.TryRemove(entry.Key, out _);
                }
            }
        }
    }

    /// <summary>CMD_CFGI_ALL (4.3.6): every cached STE, L1STD, CD and L1CD.</summary>
    public void InvalidateAll()
    {
        lock (gate)
        {
            BeginInvalidation();
            stes.Clear();
            cds.Clear();
            l1Stds.Clear();
            l1Cds.Clear();
        }
    }

    /// <summary>
    /// CMD_CFGI_CD (4.3.3): the CD fetched from index <paramref name="ssid"/> of the CD table of
    /// <paramref name="sid"/>; with <paramref name="leaf"/> = false also the L1CD locating it.
    /// </summary>
    public void InvalidateCd(uint sid, uint ssid, bool leaf)
    {
        lock (gate)
        {
            BeginInvalidation();
            cds.TryRemove(CdKey(sid, ssid), out _);
            if (!leaf)
            {
                l1Cds.TryRemove(L1CdKey(sid, 6, ssid >> 6), out _);
                l1Cds.TryRemove(L1CdKey(sid, 10, ssid >> 10), out _);
            }
        }
    }

    /// <summary>CMD_CFGI_CD_ALL (4.3.4): every CD and L1CD cached through <paramref name="sid"/>.</summary>
    public void InvalidateCdAll(uint sid)
    {
        lock (gate)
        {
            BeginInvalidation();
            RemoveContexts(sid, sid);
        }
    }

    private static ReadOnlySpan<int> Splits => [6, 8, 10];

    private static ulong CdKey(uint sid, uint index) => ((ulong)sid << 32) | index;

    private static ulong L1StdKey(int split, uint l1Index) => ((ulong)split << 32) | l1Index;

    private static ulong L1CdKey(uint sid, int leafBits, uint l1Index) =>
        ((ulong)sid << 32) | (leafBits == 10 ? 1UL << 31 : 0) | l1Index;

    /// <summary>
    /// The cached STE of <paramref name="sid"/> if there is one, without fetching or counting: a
    /// lock-free reader that answers from it counts the hit itself (per thread), and one that falls
    /// back to <see cref="LookupStream(in StreamTableRegisters, uint, uint)"/> is counted there.
    /// </summary>
    public bool TryPeekStream(uint sid, [NotNullWhen(true)] out StreamConfig? stream) => stes.TryGetValue(sid, out stream);

    private ConfigResult LookupStream(in StreamTableRegisters regs, uint cr2, uint sid, uint? ssid, long epoch)
    {
        if (stes.TryGetValue(sid, out var cached))
        {
            Interlocked.Increment(ref steHits);
            return StreamTableWalker.Outcome(cached, ssid);
        }

        Interlocked.Increment(ref steMisses);
        var access = new L1Access(this, epoch);
        var result = steWalker.Fetch(regs, cr2, sid, ssid, ref access);
        if (result.Stream is { } fetched)
        {
            Fill(stes, SteCapacity, sid, fetched, epoch);
        }

        return result;
    }

    private ConfigResult LookupContext(StreamConfig ste, uint index, uint? ssid, long epoch)
    {
        var key = CdKey(ste.StreamId, index);
        if (cds.TryGetValue(key, out var cached))
        {
            Interlocked.Increment(ref cdHits);
            return ContextDescriptorWalker.Outcome(ste, cached, ssid);
        }

        Interlocked.Increment(ref cdMisses);
        var access = new L1Access(this, epoch);
        var result = cdWalker.Fetch(ste, index, ssid, ref access);
        if (result.Context is { } fetched)
        {
            Fill(cds, CdCapacity, key, fetched, epoch);
        }

        return result;
    }

    /// <summary>Caches an entry unless an invalidation ran since the walk began; evicts an arbitrary entry when full.</summary>
    private void Fill<TKey, TValue>(ConcurrentDictionary<TKey, TValue> map, int capacity, TKey key, TValue value, long epoch)
        where TKey : notnull
    {
        if (capacity <= 0)
        {
            return;
        }

        lock (gate)
        {
            if (generation != epoch)
            {
                return;
            }

            if (!map.ContainsKey(key) && map.Count >= capacity)
            {
                foreach (var victim in map)
                {
                    map.TryRemove(victim.Key, out _);
                    break;
                }
            }

            map[key] = value;
        }
    }

    private void BeginInvalidation()
    {
        Volatile.Write(ref generation, generation + 1);
        Interlocked.Increment(ref invalidations);
    }

    /// <summary>Removes the CDs and L1CDs cached through StreamIDs first..last (inclusive). Caller holds the gate.</summary>
    private void RemoveContexts(uint first, uint last)
    {
        foreach (var entry in cds)
        {
            var sid = (uint)(entry.Key >> 32);
            if (sid >= first && sid <= last)
            {
                cds.TryRemove(entry.Key, out _);
            }
        }

        foreach (var entry in l1Cds)
        {
            var sid = (uint)(entry.Key >> 32);
            if (sid >= first && sid <= last)
            {
                l1Cds.TryRemove(entry.Key, out _);
            }
        }
    }

    /// <summary>The walkers' view of the L1 caches, tied to the generation the walk started in.</summary>
    private readonly struct L1Access(ConfigCache owner, long epoch) : IL1DescriptorCache
    {
        public bool TryGetL1Std(int split, uint l1Index, out ulong descriptor) =>
            owner.TryGetL1(owner.l1Stds, L1StdKey(split, l1Index), out descriptor);

        public void AddL1Std(int split, uint l1Index, ulong descriptor) =>
            owner.Fill(owner.l1Stds, owner.L1Capacity, L1StdKey(split, l1Index), descriptor, epoch);

        public bool TryGetL1Cd(uint streamId, int leafBits, uint l1Index, out ulong descriptor) =>
            owner.TryGetL1(owner.l1Cds, L1CdKey(streamId, leafBits, l1Index), out descriptor);

        public void AddL1Cd(uint streamId, int leafBits, uint l1Index, ulong descriptor) =>
            owner.Fill(owner.l1Cds, owner.L1Capacity, L1CdKey(streamId, leafBits, l1Index), descriptor, epoch);
    }

    private bool TryGetL1(ConcurrentDictionary<ulong, ulong> map, ulong key, out ulong descriptor)
    {
        if (map.TryGetValue(key, out descriptor))
        {
            Interlocked.Increment(ref l1Hits);
            return true;
        }

        return false;
    }
}
