using System.Runtime.CompilerServices;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Configuration;
using SmmuLab.Hardware.Timing;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Smmu;

/// <summary>The SMMU's caches (TLB, walk cache, configuration cache) and the commands that maintain them.</summary>
public sealed partial class SmmuDevice
{
    private Tlb tlb = null!;
    private TranslationWalker walker = null!;
    private ConfigCache configCache = null!;

    /// <summary>
    /// Recently used configurations (see <see cref="LookupConfiguration"/>): written under the device
    /// lock, read also by lock-free TLB hits, so each slot holds an immutable object that a reader
    /// takes whole with one reference read.
    /// </summary>
    private readonly RecentConfig?[] recentConfigs = new RecentConfig?[RecentConfigs];

    private const int RecentConfigs = 64;

    /// <summary>Spreads SubstreamIDs of one stream over the slots.</summary>
    private const uint RecentConfigHash = 0x9E37;

    /// <summary>The TLB (with its walk cache), for tests and benchmarks.</summary>
    internal Tlb Tlb => tlb;

    /// <summary>The STE/CD cache, for tests and benchmarks.</summary>
    internal ConfigCache ConfigCache => configCache;

    /// <summary>The TLB's counters: hits (the lock-free ones and those of lock-free ATS requests included), misses, inserts, evictions, entries invalidated.</summary>
    public TlbStatistics TlbStatistics
    {
        get
        {
            var locked = tlb.Statistics;
            // An ATS request answered without the lock stands for the two TLB hits of the locked
            // path's probes (read, then write).
            return locked with { Hits = locked.Hits + Statistics.LockFreeHits.First + (2 * Statistics.LockFreeAtsRequests.First) };
        }
    }

    /// <summary>Entries the TLB holds now (its occupancy; read it under the device lock, as an observer is called, for an exact figure).</summary>
    public int TlbEntries => tlb.Count;

    /// <summary>The STE/CD cache's counters.</summary>
    /// <remarks>An ATS request answered without the lock found its STE cached: one STE hit each, counted per thread.</remarks>
    public ConfigCacheStatistics ConfigCacheStatistics
    {
        get
        {
            var locked = configCache.Statistics;
            return locked with { SteHits = locked.SteHits + Statistics.LockFreeAtsRequests.First };
        }
    }

    /// <summary>Descriptor reads made by table walks.</summary>
    public long WalkSteps => walker.Steps;

    private StreamTableRegisters StreamTable => new(strtabBase, strtabBaseCfg);

    private void InitialiseCaches()
    {
        tlb = new Tlb(new TlbOptions { Capacity = Options.TlbCapacity, Ways = Options.TlbWays });
        tlbHitPicoseconds = ModeledClock.Picoseconds(Options.Costs.TlbHitNs);
        atsHitPicoseconds = ModeledClock.Picoseconds(Options.Costs.AtsTranslationRoundTripNs) + (2 * tlbHitPicoseconds);
        Clock.Concurrent = [Statistics.LockFreeHits, Statistics.LockFreeAtsRequests, Statistics.QuietCommands];
        InitialiseQuietCommands();
        walker = new TranslationWalker(memory, tlb.WalkCache);

        // A nested STE's CD tables live in IPA space: the SMMU translates their addresses through
        // the stream's stage 2 before fetching (5.4.1); a fault there is reported with CLASS = CD.
        configCache = new ConfigCache(Features, memory,
            new DelegateIpaTranslator((ste, ipa) => walker.WalkStage2(ste.Stage2!.Value, ipa, AccessKind.Read, FaultClass.CD, ste.Vmid)),
            steCapacity: Options.ConfigCacheCapacity, cdCapacity: Options.ConfigCacheCapacity * 4);
    }

    /// <summary>CMD_CFGI_* (4.3) and CMD_PREFETCH_CONFIG (4.2.1).</summary>
    private void InvalidateConfiguration(in Command cmd)
    {
        var sid = (uint)cmd.Get(CommandLayouts.Sid);
        var leaf = cmd.Get(CommandLayouts.Leaf) != 0;
        switch (cmd.Opcode)
        {
            case Opcode.CMD_CFGI_STE:
                configCache.InvalidateSte(sid, leaf);
                break;
            case Opcode.CMD_CFGI_STE_RANGE:
                configCache.InvalidateSteRange(sid, (uint)cmd.Get(CommandLayouts.Range));
                break;
            case Opcode.CMD_CFGI_CD:
                configCache.InvalidateCd(sid, (uint)cmd.Get(CommandLayouts.Ssid), leaf);
                break;
            case Opcode.CMD_CFGI_CD_ALL:
                configCache.InvalidateCdAll(sid);
                break;
            case Opcode.CMD_PREFETCH_CONFIG:
                if (SmmuEnabled)
                {
                    var ssid = cmd.Get(CommandLayouts.Ssv) != 0 ? (uint?)cmd.Get(CommandLayouts.Ssid) : null;
                    configCache.Prefetch(StreamTable, cr2, sid, ssid);
                }

                return; // a hint, not an invalidation
            default:
                return;
        }

        if (invalidationListener is not null)
        {
            NotifyInvalidated(ConfigScope(cmd));
        }
    }

    /// <summary>
    /// A TLB invalidation command (4.4). Returns false for an encoding the architecture reserves
    /// (CERROR_ILL), otherwise removes exactly the entries the command must remove.
    /// </summary>
    private bool InvalidateTlb(in Command cmd, out int removed)
    {
        if (!TlbInvalidation.TryFromCommand(cmd, out var inv, Cr2.E2H.IsSet(cr2), Features.RangeInvalidation))
        {
            removed = 0;
            return false;
        }

        removed = tlb.Invalidate(inv);
        if (invalidationListener is not null && inv.Regimes != 0)
        {
            NotifyInvalidated(TlbScope(inv));
        }

        return true;
    }

    /// <summary>
    /// Looks up a stream's configuration and charges the modeled cost of any structure fetch. The
    /// last successful lookups are remembered per (StreamID, SubstreamID) with the configuration
    /// cache's generation, so a hit costs one array probe; any CFGI (a new generation) retires them.
    /// </summary>
    private ConfigResult LookupConfiguration(uint sid, uint? ssid)
    {
        var generation = configCache.Generation;
        if (CurrentRecentConfig(sid, ssid, generation) is { } recent)
        {
            return ConfigResult.Success(recent.Stream, recent.Context);
        }

        var before = configCache.Fetches;
        var result = configCache.Lookup(StreamTable, cr2, sid, ssid);
        var fetched = configCache.Fetches - before;
        if (fetched != 0)
        {
            Clock.Advance(fetched * Options.Costs.ConfigFetchNs);
            observer?.ConfigurationFetched(this, sid, ssid, (int)fetched);
        }

        if (result.IsOk)
        {
            Volatile.Write(ref RecentConfigSlot(sid, ssid, out var key), new RecentConfig(key, generation, result.Stream!, result.Context, FastPathContext(result.Stream!, result.Context)?.Normalized));
        }

        return result;
    }

    /// <summary>The event record of a failed configuration lookup, with the transaction's address and access.</summary>
    private static EventRecord ConfigEvent(in ConfigFault fault, ulong address, AccessKind access)
    {
        var record = fault.ToEventRecord();
        if (fault.Event is not (EventId.F_TRANSLATION or EventId.F_ADDR_SIZE or EventId.F_ACCESS or EventId.F_PERMISSION or EventId.F_WALK_EABT))
        {
            return record;
        }

        var read = !access.IsWrite();
        return record.WithAccess(read, read && (access & AccessKind.Instruction) != 0, (access & AccessKind.Privileged) != 0) with { Dw2 = address };
    }

    /// <summary>
    /// A TLB hit needs no table selection when the address is used as it is (no TBI): a cached
    /// entry for it exists only if a walk of that same address under the same tags succeeded since
    /// the configuration was fetched. This is the context such hits are looked up with, or null.
    /// </summary>
    private static TranslationContext? FastPathContext(StreamConfig ste, ContextConfig? cd)
    {
        if (cd is null)
        {
            return ste.Stage2Enabled ? TranslationContext.Stage2Only(ste.Vmid) : null;
        }

        if (cd.Tbi0 || cd.Tbi1)
        {
            return null;
        }

        return new TranslationContext(RegimeOf(cd.StreamWorld), ste.Stage2Enabled ? TranslationStages.Nested : TranslationStages.Stage1,
            ste.VmidTagged ? ste.Vmid : (ushort)0, cd.Asid);
    }

    /// <summary>
    /// The TLB-hit fast path of <see cref="Translate"/>; false sends the caller down the full path.
    /// The hit is checked against the post-STE-override access (PRIVCFG/INSTCFG), as a walk would be.
    /// </summary>
    private bool TryTranslateFromTlb(uint sid, uint? ssid, ulong address, AccessKind access, out TransactionResult result)
    {
        if (CurrentRecentConfig(sid, ssid, configCache.Generation) is { FastContext: { } context } recent
            && tlb.TryLookup(context, address, out var hit, count: false) && hit.Permissions.Allows(recent.Stream.EffectiveAccess(access)))
        {
            tlb.CountHit();
            Clock.Advance(Options.Costs.TlbHitNs);
            result = new TransactionResult(TransactionOutcome.Translated, hit.OutputAddress, hit.BlockShift);
            return true;
        }

        result = default;
        return false;
    }

    /// <summary>
    /// The remembered configuration of (<paramref name="sid"/>, <paramref name="ssid"/>) when it was
    /// made in <paramref name="generation"/> of the configuration cache, else null. One reference read
    /// of an immutable object, so lock-free readers may call it too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RecentConfig? CurrentRecentConfig(uint sid, uint? ssid, long generation)
    {
        var recent = Volatile.Read(ref RecentConfigSlot(sid, ssid, out var key));
        return recent is not null && recent.Key == key && recent.Generation == generation ? recent : null;
    }

    /// <summary>
    /// The slot remembering the configuration of (<paramref name="sid"/>, <paramref name="ssid"/>),
    /// and the key an entry for them carries there (no SubstreamID is a value no SubstreamID has).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref RecentConfig? RecentConfigSlot(uint sid, uint? ssid, out ulong key)
    {
        key = ((ulong)sid << 32) | (ssid ?? uint.MaxValue);
        return ref recentConfigs[(int)((sid ^ (ssid ?? 0) * RecentConfigHash) & (RecentConfigs - 1))];
    }

    /// <summary>A remembered configuration; <see cref="FastContext"/> is normalized already (TLB lookups take it as it is).</summary>
    private sealed record RecentConfig(ulong Key, long Generation, StreamConfig Stream, ContextConfig? Context, TranslationContext? FastContext);
}
