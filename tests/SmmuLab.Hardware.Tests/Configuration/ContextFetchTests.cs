using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Configuration;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Configuration;

/// <summary>CD tables (linear, 2-level 4K/64K, nested), SubstreamID rules and CD fetch faults.</summary>
public sealed class ContextFetchTests
{
    private const ulong Ttb = 0x0200_0000;
    private const ulong L2 = 0x0400_0000;

    [Fact]
    public void A_single_CD_is_used_without_substreams()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.CdTable));
        bed.Write(ConfigTestBed.CdTable, StructureImages.MakeCd(Ttb, asid: 9));
        var r = bed.Lookup(1);
        Assert.True(r.IsOk, r.ToString());
        Assert.True(r.Stage1Translates);
        var cd = r.Context!;
        Assert.Equal(0u, cd.Index);
        Assert.Equal((ushort)9, cd.Asid);
        Assert.Equal(Ttb, cd.Tt0!.Value.TableBase);
        Assert.Equal(39, cd.Tt0.Value.InputBits);
        Assert.Equal(1, cd.Tt0.Value.StartLevel);
        Assert.Equal(48, cd.OutputBits);
        Assert.Null(cd.Tt1);
        Assert.True(cd.Record && cd.AbortOnTerminate && !cd.Stall);
        Assert.Equal(0x0044_FF04UL, cd.Mair);
    }

    [Fact]
    public void A_linear_CD_table_is_indexed_by_SubstreamID()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.CdTable, cdMax: 4));
        bed.Write(ConfigTestBed.CdTable + (64 * 13), StructureImages.MakeCd(Ttb, asid: 13));
        var r = bed.Lookup(1, 13);
        Assert.True(r.IsOk, r.ToString());
        Assert.Equal(13u, r.Context!.Index);
        Assert.Equal((ushort)13, r.Context.Asid);
    }

    [Theory]
    [InlineData(S1Fmt.TwoLevel4K, 12, 0x345u)]
    [InlineData(S1Fmt.TwoLevel64K, 16, 0xBEEFu)]
    [InlineData(S1Fmt.TwoLevel4K, 5, 0x1Fu)]
    [InlineData(S1Fmt.TwoLevel64K, 10, 0x3FFu)]
    public void Two_level_CD_tables_split_the_SubstreamID(uint fmt, int cdMax, uint ssid)
    {
        var bed = new ConfigTestBed();
        var leafBits = fmt == S1Fmt.TwoLevel4K ? 6 : 10;
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.CdTable, cdMax, fmt));
        bed.WriteL1Cd(ConfigTestBed.CdTable, ssid >> leafBits, L2);
        bed.Write(L2 + (64UL * (ssid & ((1u << leafBits) - 1))), StructureImages.MakeCd(Ttb, asid: 0x77));
        var r = bed.Lookup(1, ssid);
        Assert.True(r.IsOk, r.ToString());
        Assert.Equal((ushort)0x77, r.Context!.Asid);
    }

    [Fact]
    public void An_invalid_L1CD_is_C_BAD_SUBSTREAMID()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.CdTable, 12, S1Fmt.TwoLevel4K));
        bed.WriteL1Cd(ConfigTestBed.CdTable, 5, L2, valid: false);
        var r = bed.Lookup(1, (5 << 6) | 3);
        Assert.Equal(EventId.C_BAD_SUBSTREAMID, r.Fault.Event);
        Assert.Equal(ConfigFaultReason.L1CdInvalid, r.Fault.Reason);
        var record = r.Fault.ToEventRecord();
        Assert.Equal((5u << 6) | 3, record.Ssid);
        Assert.False(record.SsidValid); // C_BAD_SUBSTREAMID has no SSV bit
    }

    [Fact]
    public void An_L1CD_pointer_beyond_the_OAS_is_C_BAD_SUBSTREAMID()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.CdTable, 12, S1Fmt.TwoLevel4K));
        bed.WriteL1Cd(ConfigTestBed.CdTable, 0, 1UL << 50);
        Assert.Equal(ConfigFaultReason.L1CdPointerOutOfRange, bed.Lookup(1, 1).Fault.Reason);
    }

    [Theory]
    [InlineData("bypass", ConfigFaultReason.SsidWithoutStage1)]
    [InlineData("s2", ConfigFaultReason.SsidWithoutStage1)]
    [InlineData("cdmax0", ConfigFaultReason.SsidWithSubstreamsDisabled)]
    [InlineData("ssidsize0", ConfigFaultReason.SsidWithSubstreamsDisabled)]
    [InlineData("range", ConfigFaultReason.SsidOutOfRange)]
    public void A_SubstreamID_the_STE_cannot_take_is_C_BAD_SUBSTREAMID(string name, ConfigFaultReason reason)
    {
        var bed = new ConfigTestBed(name == "ssidsize0" ? new SmmuFeatures { SubstreamIdBits = 0 } : null);
        bed.WriteSte(1, name switch
        {
            "bypass" => StructureImages.Bypass(),
            "s2" => StructureImages.Stage2(0x0800_0000),
            "range" => StructureImages.Stage1(ConfigTestBed.CdTable, cdMax: 4),
            _ => StructureImages.Stage1(ConfigTestBed.CdTable),
        });
        var r = bed.Lookup(1, 16);
        Assert.Equal(EventId.C_BAD_SUBSTREAMID, r.Fault.Event);
        Assert.Equal(reason, r.Fault.Reason);
        Assert.Equal(16u, r.Fault.ToEventRecord().Ssid);
    }

    [Fact]
    public void S1DSS_terminate_disables_traffic_without_a_SubstreamID()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.CdTable, cdMax: 4, dss: S1Dss.Terminate));
        var r = bed.Lookup(1);
        Assert.Equal(EventId.F_STREAM_DISABLED, r.Fault.Event);
        Assert.Equal(ConfigFaultReason.NonSubstreamTrafficTerminated, r.Fault.Reason);
        var record = r.Fault.ToEventRecord();
        Assert.Equal(1u, record.Sid);
        Assert.False(record.SsidValid);
    }

    [Fact]
    public void S1DSS_reserved_behaves_as_terminate()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.CdTable, cdMax: 4, dss: 3));
        Assert.Equal(EventId.F_STREAM_DISABLED, bed.Lookup(1).Fault.Event);
    }

    [Fact]
    public void S1DSS_bypass_skips_stage_1_without_fetching_a_CD()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.Unbacked, cdMax: 4, dss: S1Dss.Bypass));
        var r = bed.Lookup(1);
        Assert.True(r.IsOk);
        Assert.False(r.Stage1Translates);
        Assert.Equal(0, bed.Cache.Statistics.CdFetches);
    }

    [Fact]
    public void S1DSS_SSID0_gives_CD_0_to_traffic_without_SubstreamID_and_disables_SubstreamID_0()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.CdTable, cdMax: 4, dss: S1Dss.Ssid0));
        bed.Write(ConfigTestBed.CdTable, StructureImages.MakeCd(Ttb, asid: 100));
        var r = bed.Lookup(1);
        Assert.True(r.IsOk);
        Assert.Equal((ushort)100, r.Context!.Asid);

        var zero = bed.Lookup(1, 0);
        Assert.Equal(EventId.F_STREAM_DISABLED, zero.Fault.Event);
        Assert.Equal(ConfigFaultReason.Substream0Reserved, zero.Fault.Reason);
    }

    [Fact]
    public void An_unbacked_CD_is_F_CD_FETCH_with_its_address()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.Unbacked, cdMax: 4));
        var r = bed.Lookup(1, 2);
        Assert.Equal(EventId.F_CD_FETCH, r.Fault.Event);
        Assert.Equal(ConfigTestBed.Unbacked + 128, r.Fault.FetchAddress);
        var record = r.Fault.ToEventRecord();
        Assert.Equal(ConfigTestBed.Unbacked + 128, record.Fetch);
        Assert.True(record.SsidValid);
        Assert.Equal(2u, record.Ssid);
    }

    [Fact]
    public void An_unbacked_L1CD_is_F_CD_FETCH()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.Unbacked, 16, S1Fmt.TwoLevel64K));
        var r = bed.Lookup(1, 0x2345);
        Assert.Equal(EventId.F_CD_FETCH, r.Fault.Event);
        Assert.Equal(ConfigTestBed.Unbacked + (8 * 8), r.Fault.FetchAddress);
    }

    [Fact]
    public void A_nested_STE_fetches_its_CD_tables_through_stage_2()
    {
        const ulong offset = 0x1000_0000;
        var s2 = new OffsetIpaTranslator(offset);
        var bed = new ConfigTestBed(translator: s2);
        bed.WriteSte(1, StructureImages.Nested(ConfigTestBed.CdTable, 0x0800_0000, 12, S1Fmt.TwoLevel4K));
        bed.WriteL1Cd(ConfigTestBed.CdTable + offset, 1, L2); // the L1CD holds an IPA
        bed.Write(L2 + offset + (64 * 2), StructureImages.MakeCd(Ttb, asid: 5));
        var r = bed.Lookup(1, 66);
        Assert.True(r.IsOk, r.ToString());
        Assert.Equal((ushort)5, r.Context!.Asid);
        Assert.Equal(Ttb, r.Context.Tt0!.Value.TableBase); // stage-1 tables stay IPAs
        Assert.Equal(2, s2.Calls);
    }

    [Fact]
    public void A_stage_2_fault_on_a_CD_fetch_is_reported_with_CLASS_CD()
    {
        var s2 = new OffsetIpaTranslator(0, faultAtOrAbove: ConfigTestBed.CdTable);
        var bed = new ConfigTestBed(translator: s2);
        bed.WriteSte(1, StructureImages.Nested(ConfigTestBed.CdTable, 0x0800_0000, cdMax: 4));
        var r = bed.Lookup(1, 3);
        Assert.Equal(ConfigStatus.Fault, r.Status);
        Assert.Equal(EventId.F_TRANSLATION, r.Fault.Event);
        Assert.Equal(ConfigFaultReason.CdFetchStage2Fault, r.Fault.Reason);
        Assert.True(r.Fault.Stage2.FaultIsStage2);
        Assert.Equal(FaultClass.CD, r.Fault.Stage2.FaultClass);
        Assert.Equal(ConfigTestBed.CdTable + (64 * 3), r.Fault.Stage2.FaultIpa);
        var record = r.Fault.ToEventRecord();
        Assert.True(record.IsStage2);
        Assert.Equal(FaultClass.CD, record.Class);
        Assert.Equal(ConfigTestBed.CdTable, record.Ipa); // IPA[55:12]
        Assert.Equal(3u, record.Ssid);
    }

    [Fact]
    public void A_nested_STE_without_an_IPA_translator_is_a_wiring_error()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Nested(ConfigTestBed.CdTable, 0x0800_0000));
        Assert.Throws<InvalidOperationException>(() => bed.Lookup(1));
    }

    [Fact]
    public void The_CD_walker_can_be_used_without_a_cache()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.CdTable));
        bed.Write(ConfigTestBed.CdTable, StructureImages.MakeCd(Ttb));
        var ste = bed.Cache.LookupStream(bed.Regs, bed.Cr2, 1).Stream!;
        var walker = new ContextDescriptorWalker(bed.Features, bed.Memory);
        var r = walker.Fetch(ste, 0);
        Assert.True(r.IsOk);
        Assert.Equal(1, walker.CdReads);
    }
}
