using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Configuration;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Configuration;

/// <summary>
/// Configuration cache semantics: a table change stays invisible until the matching CFGI command
/// (IHI0070 4.3), and each command invalidates what it must and nothing it need not.
/// </summary>
public sealed class ConfigCacheTests
{
    private const ulong TtbA = 0x0200_0000;
    private const ulong TtbB = 0x0300_0000;
    private const ulong L2A = 0x0030_0000;
    private const ulong L2B = 0x0040_0000;
    private const ulong CdL2A = 0x0400_0000;
    private const ulong CdL2B = 0x0500_0000;

    [Fact]
    public void An_STE_change_without_CFGI_STE_is_invisible()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Bypass());
        Assert.Equal(StreamConfigKind.Bypass, bed.Lookup(1).Stream!.Kind);
        bed.WriteSte(1, StructureImages.Abort());
        Assert.Equal(StreamConfigKind.Bypass, bed.Lookup(1).Stream!.Kind);
        bed.Cache.InvalidateSte(1, leaf: true);
        Assert.Equal(ConfigStatus.Abort, bed.Lookup(1).Status);
    }

    [Fact]
    public void An_invalid_STE_is_cached_too()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.MakeSte(SteConfig.Bypass, valid: false));
        Assert.Equal(EventId.C_BAD_STE, bed.Lookup(1).Fault.Event);
        bed.WriteSte(1, StructureImages.Bypass());
        Assert.Equal(EventId.C_BAD_STE, bed.Lookup(1).Fault.Event);
        bed.Cache.InvalidateSte(1, leaf: true);
        Assert.True(bed.Lookup(1).IsOk);
    }

    [Fact]
    public void A_CD_change_needs_CFGI_CD_for_that_SubstreamID()
    {
        var bed = StreamWithCds(cdMax: 4);
        bed.Write(ConfigTestBed.CdTable + (64 * 1), StructureImages.MakeCd(TtbA, asid: 1));
        bed.Write(ConfigTestBed.CdTable + (64 * 2), StructureImages.MakeCd(TtbA, asid: 2));
        Assert.Equal((ushort)1, bed.Lookup(1, 1).Context!.Asid);
        Assert.Equal((ushort)2, bed.Lookup(1, 2).Context!.Asid);

        bed.Write(ConfigTestBed.CdTable + (64 * 1), StructureImages.MakeCd(TtbB, asid: 11));
        bed.Write(ConfigTestBed.CdTable + (64 * 2), StructureImages.MakeCd(TtbB, asid: 12));
        Assert.Equal((ushort)1, bed.Lookup(1, 1).Context!.Asid);

        bed.Cache.InvalidateCd(1, 1, leaf: true);
        Assert.Equal((ushort)11, bed.Lookup(1, 1).Context!.Asid);
        Assert.Equal((ushort)2, bed.Lookup(1, 2).Context!.Asid); // other SubstreamIDs untouched
    }

    [Fact]
    public void CFGI_CD_with_SubstreamID_0_invalidates_the_single_CD()
    {
        var bed = StreamWithCds(cdMax: 0);
        bed.Write(ConfigTestBed.CdTable, StructureImages.MakeCd(TtbA, asid: 1));
        Assert.Equal((ushort)1, bed.Lookup(1).Context!.Asid);
        bed.Write(ConfigTestBed.CdTable, StructureImages.MakeCd(TtbA, asid: 2));
        bed.Cache.InvalidateCd(1, 0, leaf: true);
        Assert.Equal((ushort)2, bed.Lookup(1).Context!.Asid);
    }

    [Fact]
    public void CFGI_STE_also_invalidates_the_CDs_cached_through_that_stream_only()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.CdTable));
        bed.WriteSte(2, StructureImages.Stage1(ConfigTestBed.CdTable)); // a CD shared by two streams
        bed.Write(ConfigTestBed.CdTable, StructureImages.MakeCd(TtbA, asid: 1));
        Assert.Equal((ushort)1, bed.Lookup(1).Context!.Asid);
        Assert.Equal((ushort)1, bed.Lookup(2).Context!.Asid);

        bed.Write(ConfigTestBed.CdTable, StructureImages.MakeCd(TtbA, asid: 2));
        bed.Cache.InvalidateSte(1, leaf: true);
        Assert.Equal((ushort)2, bed.Lookup(1).Context!.Asid);
        Assert.Equal((ushort)1, bed.Lookup(2).Context!.Asid); // cached per StreamID (4.3.3)
    }

    [Fact]
    public void CFGI_CD_ALL_invalidates_every_CD_of_the_stream_and_no_other()
    {
        var bed = StreamWithCds(cdMax: 4);
        bed.WriteSte(2, StructureImages.Stage1(ConfigTestBed.CdTable, cdMax: 4));
        for (uint i = 1; i < 4; i++)
        {
            bed.Write(ConfigTestBed.CdTable + (64 * i), StructureImages.MakeCd(TtbA, asid: (ushort)i));
            _ = bed.Lookup(1, i);
            _ = bed.Lookup(2, i);
        }

        for (uint i = 1; i < 4; i++)
        {
            bed.Write(ConfigTestBed.CdTable + (64 * i), StructureImages.MakeCd(TtbA, asid: (ushort)(i + 10)));
        }

        bed.Cache.InvalidateCdAll(1);
        for (uint i = 1; i < 4; i++)
        {
            Assert.Equal((ushort)(i + 10), bed.Lookup(1, i).Context!.Asid);
            Assert.Equal((ushort)i, bed.Lookup(2, i).Context!.Asid);
        }
    }

    [Fact]
    public void Leaf_CFGI_STE_keeps_the_cached_L1STD_and_non_leaf_drops_it()
    {
        var bed = new ConfigTestBed(regs: StreamTableRegisters.TwoLevel(ConfigTestBed.L1Table, 16, 8));
        bed.WriteL1Std(1, L2A, 9);
        bed.Write(L2A + (64 * 4), StructureImages.Bypass());
        bed.Write(L2B + (64 * 4), StructureImages.Abort());
        Assert.True(bed.Lookup(0x104).IsOk);

        bed.WriteL1Std(1, L2B, 9); // move the level-2 array
        bed.Cache.InvalidateSte(0x104, leaf: true);
        Assert.True(bed.Lookup(0x104).IsOk); // still walked through the cached L1STD

        bed.Cache.InvalidateSte(0x104, leaf: false);
        Assert.Equal(ConfigStatus.Abort, bed.Lookup(0x104).Status);
    }

    [Fact]
    public void A_new_span_needs_the_L1STD_invalidated()
    {
        var bed = new ConfigTestBed(regs: StreamTableRegisters.TwoLevel(ConfigTestBed.L1Table, 16, 8));
        Assert.Equal(EventId.C_BAD_STREAMID, bed.Lookup(0x205).Fault.Event); // Span 0 is cached
        bed.WriteL1Std(2, L2A, 9);
        bed.Write(L2A + (64 * 5), StructureImages.Bypass());
        Assert.Equal(EventId.C_BAD_STREAMID, bed.Lookup(0x205).Fault.Event);
        bed.Cache.InvalidateSte(0x2FF, leaf: false); // any StreamID under the L1STD
        Assert.True(bed.Lookup(0x205).IsOk);
    }

    [Fact]
    public void CFGI_STE_RANGE_invalidates_an_aligned_block_of_2_pow_Range_plus_1_streams()
    {
        var bed = new ConfigTestBed();
        for (uint sid = 0; sid < 12; sid++)
        {
            bed.WriteSte(sid, StructureImages.Bypass());
            _ = bed.Lookup(sid);
            bed.WriteSte(sid, StructureImages.Abort());
        }

        bed.Cache.InvalidateSteRange(5, 1); // StreamIDs 4..7
        for (uint sid = 0; sid < 12; sid++)
        {
            var expected = sid is >= 4 and <= 7 ? ConfigStatus.Abort : ConfigStatus.Ok;
            Assert.Equal(expected, bed.Lookup(sid).Status);
        }
    }

    [Fact]
    public void CFGI_STE_RANGE_covers_the_CDs_and_L1STDs_of_the_range()
    {
        var bed = new ConfigTestBed(regs: StreamTableRegisters.TwoLevel(ConfigTestBed.L1Table, 16, 6));
        bed.WriteL1Std(1, L2A, 7);
        bed.WriteL1Std(2, L2A, 7);
        bed.Write(L2A + (64 * 3), StructureImages.Stage1(ConfigTestBed.CdTable));
        bed.Write(ConfigTestBed.CdTable, StructureImages.MakeCd(TtbA, asid: 1));
        Assert.True(bed.Lookup(0x43).IsOk);
        Assert.True(bed.Lookup(0x83).IsOk);

        bed.WriteL1Std(1, L2B, 7);
        bed.WriteL1Std(2, L2B, 7);
        bed.Write(L2B + (64 * 3), StructureImages.Stage1(ConfigTestBed.CdTable));
        bed.Write(ConfigTestBed.CdTable, StructureImages.MakeCd(TtbA, asid: 2));
        bed.Cache.InvalidateSteRange(0x40, 5); // 64 StreamIDs: 0x40..0x7F, the span of L1STD 1
        Assert.Equal((ushort)2, bed.Lookup(0x43).Context!.Asid);
        Assert.Equal((ushort)1, bed.Lookup(0x83).Context!.Asid);
        Assert.Equal(3, bed.Cache.Statistics.L1Fetches); // L1STDs 1 and 2, then L1STD 1 again (2 stays cached)
    }

    [Fact]
    public void CFGI_ALL_is_CFGI_STE_RANGE_with_Range_31()
    {
        var bed = StreamWithCds(cdMax: 0);
        bed.Write(ConfigTestBed.CdTable, StructureImages.MakeCd(TtbA));
        Assert.True(bed.Lookup(1).IsOk);
        Assert.Equal(1, bed.Cache.CachedStes);
        Assert.Equal(1, bed.Cache.CachedCds);
        bed.Cache.InvalidateSteRange(0x1234, 31);
        Assert.Equal(0, bed.Cache.CachedStes);
        Assert.Equal(0, bed.Cache.CachedCds);
        Assert.Equal(0, bed.Cache.CachedL1Descriptors);
    }

    [Fact]
    public void Leaf_CFGI_CD_keeps_the_cached_L1CD_and_non_leaf_drops_it()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.CdTable, 12, S1Fmt.TwoLevel4K));
        bed.WriteL1Cd(ConfigTestBed.CdTable, 2, CdL2A);
        bed.Write(CdL2A + (64 * 7), StructureImages.MakeCd(TtbA, asid: 1));
        bed.Write(CdL2B + (64 * 7), StructureImages.MakeCd(TtbB, asid: 2));
        const uint ssid = (2 << 6) | 7;
        Assert.Equal((ushort)1, bed.Lookup(1, ssid).Context!.Asid);

        bed.WriteL1Cd(ConfigTestBed.CdTable, 2, CdL2B);
        bed.Cache.InvalidateCd(1, ssid, leaf: true);
        Assert.Equal((ushort)1, bed.Lookup(1, ssid).Context!.Asid);
        bed.Cache.InvalidateCd(1, ssid, leaf: false);
        Assert.Equal((ushort)2, bed.Lookup(1, ssid).Context!.Asid);
    }

    [Fact]
    public void An_invalid_L1CD_is_cached_until_a_non_leaf_CFGI_CD()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.CdTable, 16, S1Fmt.TwoLevel64K));
        Assert.Equal(EventId.C_BAD_SUBSTREAMID, bed.Lookup(1, 0x1001).Fault.Event);
        bed.WriteL1Cd(ConfigTestBed.CdTable, 4, CdL2A);
        bed.Write(CdL2A + 64, StructureImages.MakeCd(TtbA));
        Assert.Equal(EventId.C_BAD_SUBSTREAMID, bed.Lookup(1, 0x1001).Fault.Event);
        bed.Cache.InvalidateCd(1, 0x13FF, leaf: false); // any SubstreamID under that L1CD
        Assert.True(bed.Lookup(1, 0x1001).IsOk);
    }

    [Fact]
    public void Failed_fetches_are_not_cached()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.Unbacked));
        Assert.Equal(EventId.F_CD_FETCH, bed.Lookup(1).Fault.Event);
        Assert.Equal(EventId.F_CD_FETCH, bed.Lookup(1).Fault.Event);
        var stats = bed.Cache.Statistics;
        Assert.Equal(2, stats.CdMisses);
        Assert.Equal(2, stats.CdFetches);
        Assert.Equal(1, stats.SteMisses);
        Assert.Equal(1, stats.SteHits);
    }

    [Fact]
    public void Hits_misses_and_fetches_are_counted()
    {
        var bed = StreamWithCds(cdMax: 0);
        bed.Write(ConfigTestBed.CdTable, StructureImages.MakeCd(TtbA));
        for (var i = 0; i < 5; i++)
        {
            Assert.True(bed.Lookup(1).IsOk);
        }

        var s = bed.Cache.Statistics;
        Assert.Equal((4, 1, 4, 1), (s.SteHits, s.SteMisses, s.CdHits, s.CdMisses));
        Assert.Equal((1, 1, 0), (s.SteFetches, s.CdFetches, s.L1Fetches));
        Assert.Equal(2, s.Fetches);
    }

    [Fact]
    public void Capacity_evicts_entries_and_zero_capacity_disables_caching()
    {
        var bed = new ConfigTestBed(steCapacity: 1);
        bed.WriteSte(1, StructureImages.Bypass());
        bed.WriteSte(2, StructureImages.Bypass());
        _ = bed.Lookup(1);
        _ = bed.Lookup(2);
        Assert.Equal(1, bed.Cache.CachedStes);
        bed.WriteSte(1, StructureImages.Abort()); // STE 1 was evicted: the change is seen
        Assert.Equal(ConfigStatus.Abort, bed.Lookup(1).Status);

        var none = new ConfigTestBed(steCapacity: 0, cdCapacity: 0, l1Capacity: 0);
        none.WriteSte(1, StructureImages.Bypass());
        Assert.True(none.Lookup(1).IsOk);
        none.WriteSte(1, StructureImages.Abort());
        Assert.Equal(ConfigStatus.Abort, none.Lookup(1).Status);
        Assert.Equal(0, none.Cache.CachedStes);
    }

    [Fact]
    public void PREFETCH_CONFIG_loads_the_STE_and_CD()
    {
        var bed = StreamWithCds(cdMax: 4);
        bed.Write(ConfigTestBed.CdTable + (64 * 3), StructureImages.MakeCd(TtbA, asid: 3));
        bed.Cache.Prefetch(bed.Regs, bed.Cr2, 1, 3);
        Assert.Equal(1, bed.Cache.CachedStes);
        Assert.Equal(1, bed.Cache.CachedCds);
        bed.Write(ConfigTestBed.CdTable + (64 * 3), StructureImages.MakeCd(TtbA, asid: 30));
        Assert.Equal((ushort)3, bed.Lookup(1, 3).Context!.Asid);
    }

    [Fact]
    public void A_fill_racing_with_an_invalidation_is_dropped()
    {
        ConfigTestBed? bed = null;
        var translator = new DelegateIpaTranslator((_, ipa) =>
        {
            bed!.Cache.InvalidateAll(); // a CFGI completes while the CD walk is in flight
            return WalkResult.Translated(ipa, 12, 3, Permissions.All, true);
        });
        bed = new ConfigTestBed(translator: translator);
        bed.WriteSte(1, StructureImages.Nested(ConfigTestBed.CdTable, 0x0800_0000));
        bed.Write(ConfigTestBed.CdTable, StructureImages.MakeCd(TtbA));
        Assert.True(bed.Lookup(1).IsOk);
        Assert.Equal(0, bed.Cache.CachedCds);
    }

    [Fact]
    public void Cached_lookups_do_not_allocate()
    {
        var bed = StreamWithCds(cdMax: 4);
        bed.Write(ConfigTestBed.CdTable + 64, StructureImages.MakeCd(TtbA));
        var regs = bed.Regs;
        for (var i = 0; i < 2000; i++)
        {
            _ = bed.Cache.Lookup(regs, bed.Cr2, 1, 1);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            _ = bed.Cache.Lookup(regs, bed.Cr2, 1, 1);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        // What the lookups found: SubstreamID 1's CD, from the cache.
        var r = bed.Cache.Lookup(regs, bed.Cr2, 1, 1);
        Assert.True(r.IsOk);
        Assert.Equal(1, bed.Cache.CachedCds);
    }

    [Fact]
    public async Task Lookups_and_invalidations_may_run_concurrently()
    {
        var bed = StreamWithCds(cdMax: 4);
        for (uint i = 0; i < 16; i++)
        {
            bed.Write(ConfigTestBed.CdTable + (64 * i), StructureImages.MakeCd(TtbA, asid: 5));
        }

        var regs = bed.Regs;
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(t => Task.Run(() =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var r = bed.Cache.Lookup(regs, bed.Cr2, 1, (uint)(n++ % 15) + 1);
                Assert.True(r.IsOk, r.ToString());
                Assert.Equal((ushort)5, r.Context!.Asid);
            }
        })).ToArray();
        for (uint i = 0; i < 2000; i++)
        {
            switch (i % 4)
            {
                case 0: bed.Cache.InvalidateSte(1, (i & 8) != 0); break;
                case 1: bed.Cache.InvalidateCd(1, i % 16, true); break;
                case 2: bed.Cache.InvalidateCdAll(1); break;
                default: bed.Cache.InvalidateSteRange(0, i % 32); break;
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.True(bed.Cache.Statistics.Invalidations >= 2000);
    }

    private static ConfigTestBed StreamWithCds(int cdMax)
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.CdTable, cdMax));
        return bed;
    }
}
