using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Configuration;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Configuration;

/// <summary>STE decoding and every C_BAD_STE condition the model implements (IHI0070 5.2.2).</summary>
public sealed class SteValidationTests
{
    private const ulong S2Ttb = 0x0800_0000;

    [Fact]
    public void An_STE_with_V_0_is_C_BAD_STE()
    {
        var r = Decode(StructureImages.MakeSte(SteConfig.Bypass, valid: false), ssid: 3);
        AssertBadSte(r, ConfigFaultReason.SteNotValid);
        Assert.Equal(3u, r.Fault.ToEventRecord().Ssid);
    }

    [Theory]
    [InlineData(0b000u)]
    [InlineData(0b001u)]
    [InlineData(0b010u)]
    [InlineData(0b011u)]
    public void Config_0b0xx_aborts_without_an_event(uint config)
    {
        var ste = StructureImages.MakeSte(config);
        Ste.EATS.Set(ste, 2); // nothing else is checked
        var r = Decode(ste);
        Assert.Equal(ConfigStatus.Abort, r.Status);
        Assert.Equal(StreamConfigKind.Abort, r.Stream!.Kind);
        Assert.True(r.Stream.IsLegal);
    }

    [Fact]
    public void Bypass_keeps_the_attribute_overrides()
    {
        var ste = StructureImages.Bypass();
        Ste.SHCFG.Set(ste, 1);
        Ste.MTCFG.Set(ste, 1);
        Ste.MemAttr.Set(ste, 0xF);
        Ste.PRIVCFG.Set(ste, 3);
        Ste.INSTCFG.Set(ste, 2);
        Ste.EATS.Set(ste, 1);
        Ste.MEV.Set(ste, 1);
        var s = Decode(ste).Stream!;
        Assert.Equal(StreamConfigKind.Bypass, s.Kind);
        Assert.Equal(1u, s.ShCfg);
        Assert.True(s.MtCfg);
        Assert.Equal(0xFu, s.MemAttr);
        Assert.Equal(3u, s.PrivCfg);
        Assert.Equal(2u, s.InstCfg);
        Assert.Equal(0u, s.Eats); // effectively 0 for bypass
        Assert.True(s.Mev);
        Assert.False(s.VmidTagged);
        Assert.Equal(ste, s.Raw.ToArray());
    }

    [Fact]
    public void A_stage_1_STE_decodes_its_CD_table_fields()
    {
        var ste = StructureImages.Stage1(ConfigTestBed.CdTable, cdMax: 8, fmt: S1Fmt.TwoLevel64K, dss: S1Dss.Ssid0);
        Ste.S2VMID.Set(ste, 0x42);
        Ste.EATS.Set(ste, 1);
        var s = Decode(ste).Stream!;
        Assert.Equal(StreamConfigKind.Stage1, s.Kind);
        Assert.Equal(ConfigTestBed.CdTable, s.S1ContextPtr);
        Assert.Equal(8, s.S1CDMax);
        Assert.Equal(S1Fmt.TwoLevel64K, s.S1Fmt);
        Assert.Equal(S1Dss.Ssid0, s.S1DSS);
        Assert.Equal(1u, s.Eats);
        Assert.True(s.VmidTagged);
        Assert.Equal((ushort)0x42, s.Vmid);
        Assert.Null(s.Stage2);
        Assert.Equal(StreamWorld.NsEl1, s.StreamWorld);
    }

    [Fact]
    public void Substreams_are_off_when_SSIDSIZE_is_0()
    {
        var ste = StructureImages.Stage1(ConfigTestBed.CdTable, cdMax: 4, fmt: S1Fmt.TwoLevel4K);
        var s = Decode(ste, new SmmuFeatures { SubstreamIdBits = 0 }).Stream!;
        Assert.True(s.IsLegal);
        Assert.Equal(0, s.S1CDMax);
        Assert.Equal(0u, s.S1Fmt);
    }

    [Fact]
    public void A_stage_2_STE_decodes_its_walk()
    {
        var ste = StructureImages.Stage2(S2Ttb + 0x123, vmid: 7, t0sz: 24, sl0: 1);
        Ste.S2AFFD.Set(ste, 1);
        Ste.S2S.Set(ste, 0);
        var s = Decode(ste).Stream!;
        Assert.Equal(StreamConfigKind.Stage2, s.Kind);
        var w = s.Stage2!.Value;
        Assert.Equal(Granule.Size4K, w.Granule);
        Assert.Equal(40, w.InputBits);
        Assert.Equal(1, w.StartLevel);
        Assert.Equal(48, w.OutputBits);
        Assert.True(w.AccessFlagFaultDisabled);
        Assert.Equal(2, s.S2ConcatenatedTables);
        Assert.Equal(S2Ttb, w.TableBase); // aligned to the 8 KiB of two concatenated tables
        Assert.True(s.S2Record);
        Assert.True(s.S2Ptw);
        Assert.True(s.S2Affd);
        Assert.Equal((ushort)7, s.Vmid);
    }

    [Fact]
    public void S2PS_is_capped_by_the_OAS()
    {
        var s = Decode(StructureImages.Stage2(S2Ttb, ps: 6), new SmmuFeatures { OutputAddressBits = 44 }).Stream!;
        Assert.Equal(44, s.Stage2!.Value.OutputBits);
    }

    [Fact]
    public void A_nested_STE_has_both_stages()
    {
        var s = Decode(StructureImages.Nested(ConfigTestBed.CdTable, S2Ttb)).Stream!;
        Assert.Equal(StreamConfigKind.Nested, s.Kind);
        Assert.True(s.Stage1Enabled && s.Stage2Enabled && s.ContextIsIpa);
        Assert.NotNull(s.Stage2);
    }

    public static TheoryData<string, ConfigFaultReason> IllegalStes => new()
    {
        { "s1-not-implemented", ConfigFaultReason.Stage1NotImplemented },
        { "s2-not-implemented", ConfigFaultReason.Stage2NotImplemented },
        { "eats-split-stage-1-only", ConfigFaultReason.EatsSplitStageIllegal },
        { "eats-split-with-s2s", ConfigFaultReason.EatsSplitStageIllegal },
        { "eats-full-with-s2s", ConfigFaultReason.EatsFullWithS2Stall },
        { "strw-reserved", ConfigFaultReason.StrwReserved },
        { "s1stalld", ConfigFaultReason.S1StallDisableWithoutStallModel },
        { "s1cdmax", ConfigFaultReason.S1CDMaxTooLarge },
        { "s1fmt-no-cd2l", ConfigFaultReason.S1FmtTwoLevelNotSupported },
        { "s1contextptr-oas", ConfigFaultReason.S1ContextPtrOutOfRange },
        { "s1contextptr-ias", ConfigFaultReason.S1ContextPtrOutOfRange },
        { "s2s-no-stall", ConfigFaultReason.S2StallNotSupported },
        { "s2s-forced", ConfigFaultReason.S2StallForced },
        { "s2aa64", ConfigFaultReason.S2AArch32NotSupported },
        { "s2ha", ConfigFaultReason.S2HttuNotSupported },
        { "s2hd", ConfigFaultReason.S2HttuNotSupported },
        { "s2tg-reserved", ConfigFaultReason.S2GranuleInvalid },
        { "s2tg-unsupported", ConfigFaultReason.S2GranuleInvalid },
        { "s2ttb-ps", ConfigFaultReason.S2TtbOutOfRange },
        { "s2ttb-48", ConfigFaultReason.S2TtbOutOfRange },
        { "s2t0sz-small", ConfigFaultReason.S2T0SZOutOfRange },
        { "s2t0sz-large", ConfigFaultReason.S2T0SZOutOfRange },
        { "s2t0sz-ias", ConfigFaultReason.S2T0SZOutOfRange },
        { "s2sl0-reserved", ConfigFaultReason.S2StartLevelInconsistent },
        { "s2sl0-concat", ConfigFaultReason.S2StartLevelInconsistent },
        { "s2sl0-too-deep", ConfigFaultReason.S2StartLevelInconsistent },
        { "s2sl0-pa-size", ConfigFaultReason.S2StartLevelInconsistent },
        { "s2endi", ConfigFaultReason.S2EndiannessNotSupported },
        { "vmid16", ConfigFaultReason.S2VmidTooWide },
        { "vmid16-stage1", ConfigFaultReason.S2VmidTooWide },
    };

    [Theory]
    [MemberData(nameof(IllegalStes))]
    public void Each_ILLEGAL_condition_is_C_BAD_STE(string name, ConfigFaultReason reason)
    {
        var (ste, features) = Illegal(name);
        AssertBadSte(Decode(ste, features), reason);
    }

    [Fact]
    public void Legal_neighbours_of_the_ILLEGAL_conditions_pass()
    {
        var hyp = new SmmuFeatures { Hyp = true };
        var strw = StructureImages.Stage1(ConfigTestBed.CdTable);
        Ste.STRW.Set(strw, 1);
        Assert.True(Decode(strw).IsOk); // STRW is RES0 without HYP

        var nested = StructureImages.Nested(ConfigTestBed.CdTable, S2Ttb);
        Ste.EATS.Set(nested, 2);
        Assert.True(Decode(nested).IsOk); // split-stage ATS with Config 0b111 and S2S = 0

        var bypassS2s = StructureImages.Stage1(ConfigTestBed.CdTable);
        Ste.EATS.Set(bypassS2s, 1);
        Ste.S2S.Set(bypassS2s, 1);
        Assert.True(Decode(bypassS2s).IsOk); // EATS = 0b01 with S2S only matters with stage 2 (v3.1+)

        var vmid = StructureImages.Bypass();
        Ste.S2VMID.Set(vmid, 0x1FF);
        Assert.True(Decode(vmid, new SmmuFeatures { Vmid16 = false }).IsOk); // S2VMID IGNORED for bypass

        var el2 = StructureImages.Stage1(ConfigTestBed.CdTable);
        Ste.STRW.Set(el2, 2);
        Ste.S2VMID.Set(el2, 0x1FF);
        var s = Decode(el2, hyp with { Vmid16 = false }, Cr2.E2H.Make(1)).Stream!;
        Assert.True(s.IsLegal); // S2VMID IGNORED at EL2
        Assert.Equal(StreamWorld.NsEl2E2H, s.StreamWorld);
        Assert.False(s.VmidTagged);

        var s64 = StructureImages.Stage2(S2Ttb, granule: Granule.Size64K, t0sz: 12, sl0: 2, ps: 6);
        Assert.True(Decode(s64, new SmmuFeatures { OutputAddressBits = 52 }).IsOk); // 52-bit IPA with 64K
    }

    private static (ulong[] Ste, SmmuFeatures? Features) Illegal(string name)
    {
        var s1 = StructureImages.Stage1(ConfigTestBed.CdTable);
        var s2 = StructureImages.Stage2(S2Ttb);
        var nested = StructureImages.Nested(ConfigTestBed.CdTable, S2Ttb);
        switch (name)
        {
            case "s1-not-implemented": return (s1, new SmmuFeatures { Stage1 = false });
            case "s2-not-implemented": return (s2, new SmmuFeatures { Stage2 = false });
            case "eats-split-stage-1-only": Ste.EATS.Set(s1, 2); return (s1, null);
            case "eats-split-with-s2s": Ste.EATS.Set(nested, 2); Ste.S2S.Set(nested, 1); return (nested, null);
            case "eats-full-with-s2s": Ste.EATS.Set(s2, 1); Ste.S2S.Set(s2, 1); return (s2, null);
            case "strw-reserved": Ste.STRW.Set(s1, 1); return (s1, new SmmuFeatures { Hyp = true });
            case "s1stalld": Ste.S1STALLD.Set(s1, 1); return (s1, null);
            case "s1cdmax": Ste.S1CDMax.Set(s1, 9); return (s1, new SmmuFeatures { SubstreamIdBits = 8 });
            case "s1fmt-no-cd2l":
                Ste.S1CDMax.Set(s1, 4);
                Ste.S1Fmt.Set(s1, S1Fmt.TwoLevel4K);
                return (s1, new SmmuFeatures { TwoLevelCdTables = false });
            case "s1contextptr-oas": Ste.S1ContextPtr.SetPresented(s1, 1UL << 48); return (s1, null);
            case "s1contextptr-ias": Ste.S1ContextPtr.SetPresented(nested, 1UL << 44); return (nested, new SmmuFeatures { OutputAddressBits = 44 });
            case "s2s-no-stall": Ste.S2S.Set(s2, 1); return (s2, null);
            case "s2s-forced": return (s2, new SmmuFeatures { StallModel = 2 });
            case "s2aa64": Ste.S2AA64.Set(s2, 0); return (s2, null);
            case "s2ha": Ste.S2HA.Set(s2, 1); return (s2, null);
            case "s2hd": Ste.S2HD.Set(s2, 1); return (s2, null);
            case "s2tg-reserved": Ste.S2TG.Set(s2, 3); return (s2, null);
            case "s2tg-unsupported": return (s2, new SmmuFeatures { Granule4K = false });
            case "s2ttb-ps": Ste.S2PS.Set(s2, 2); Ste.S2TTB.SetPresented(s2, 1UL << 40); return (s2, null);
            case "s2ttb-48":
                Ste.S2PS.Set(s2, 6);
                Ste.S2TTB.SetPresented(s2, 1UL << 48);
                return (s2, new SmmuFeatures { OutputAddressBits = 52 });
            case "s2t0sz-small": return (StructureImages.Stage2(S2Ttb, t0sz: 15, sl0: 2), null);
            case "s2t0sz-large": return (StructureImages.Stage2(S2Ttb, t0sz: 40, sl0: 0), null);
            case "s2t0sz-ias": return (StructureImages.Stage2(S2Ttb, t0sz: 22, sl0: 1), new SmmuFeatures { OutputAddressBits = 40 });
            case "s2sl0-reserved": Ste.S2SL0.Set(s2, 3); return (s2, null);
            case "s2sl0-concat": return (StructureImages.Stage2(S2Ttb, t0sz: 20, sl0: 1), null);
            case "s2sl0-too-deep": return (StructureImages.Stage2(S2Ttb, t0sz: 34, sl0: 1), null);
            case "s2sl0-pa-size": return (StructureImages.Stage2(S2Ttb, t0sz: 24, sl0: 2), new SmmuFeatures { OutputAddressBits = 40 });
            case "s2endi": Ste.S2ENDI.Set(s2, 1); return (s2, null);
            case "vmid16": Ste.S2VMID.Set(s2, 0x100); return (s2, new SmmuFeatures { Vmid16 = false });
            case "vmid16-stage1": Ste.S2VMID.Set(s1, 0x100); return (s1, new SmmuFeatures { Vmid16 = false });
            default: throw new ArgumentException(name);
        }
    }

    private static ConfigResult Decode(ulong[] ste, SmmuFeatures? features = null, ulong cr2 = 0, uint? ssid = null)
    {
        var bed = new ConfigTestBed(features);
        bed.Cr2 = (uint)(cr2 | ConfigTestBed.Cr2RecInvSid);
        bed.WriteSte(1, ste);
        return bed.Cache.LookupStream(bed.Regs, bed.Cr2, 1) is var r && ssid is null ? r : bed.Lookup(1, ssid);
    }

    private static void AssertBadSte(ConfigResult r, ConfigFaultReason reason)
    {
        Assert.Equal(ConfigStatus.Fault, r.Status);
        Assert.Equal(EventId.C_BAD_STE, r.Fault.Event);
        Assert.Equal(reason, r.Fault.Reason);
        Assert.NotNull(r.Stream);
        Assert.False(r.Stream!.IsLegal);
        Assert.Equal(EventId.C_BAD_STE, r.Fault.ToEventRecord().Id);
    }
}
