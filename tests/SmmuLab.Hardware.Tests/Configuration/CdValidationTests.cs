using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Configuration;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Configuration;

/// <summary>Every C_BAD_CD condition the model implements (IHI0070 5.4.2) and TTB0/TTB1 selection.</summary>
public sealed class CdValidationTests
{
    private const ulong Ttb0 = 0x0200_0000;
    private const ulong Ttb1 = 0x0300_0000;

    public static TheoryData<string, ConfigFaultReason> IllegalCds => new()
    {
        { "v0", ConfigFaultReason.CdNotValid },
        { "s1stalld", ConfigFaultReason.CdStallDisabledBySte },
        { "s-no-stall", ConfigFaultReason.CdStallNotSupported },
        { "s-forced", ConfigFaultReason.CdStallForced },
        { "endi", ConfigFaultReason.CdEndiannessNotSupported },
        { "aa32", ConfigFaultReason.CdAArch32NotSupported },
        { "ha", ConfigFaultReason.CdHttuNotSupported },
        { "hd", ConfigFaultReason.CdHttuNotSupported },
        { "asid16", ConfigFaultReason.CdAsidTooWide },
        { "t0sz-small", ConfigFaultReason.CdT0SZOutOfRange },
        { "t0sz-large", ConfigFaultReason.CdT0SZOutOfRange },
        { "t1sz", ConfigFaultReason.CdT1SZOutOfRange },
        { "tg0-reserved", ConfigFaultReason.CdTg0Invalid },
        { "tg0-unsupported", ConfigFaultReason.CdTg0Invalid },
        { "tg1-reserved", ConfigFaultReason.CdTg1Invalid },
        { "ttb0-ips", ConfigFaultReason.CdTtb0OutOfRange },
        { "ttb0-48", ConfigFaultReason.CdTtb0OutOfRange },
        { "ttb1-ips", ConfigFaultReason.CdTtb1OutOfRange },
    };

    [Theory]
    [MemberData(nameof(IllegalCds))]
    public void Each_ILLEGAL_condition_is_C_BAD_CD(string name, ConfigFaultReason reason)
    {
        var cd = StructureImages.MakeCd(Ttb0);
        var ste = StructureImages.Stage1(ConfigTestBed.CdTable, cdMax: 2);
        SmmuFeatures? features = null;
        switch (name)
        {
            case "v0": Cd.V.Set(cd, 0); break;
            case "s1stalld": Cd.S.Set(cd, 1); Ste.S1STALLD.Set(ste, 1); features = new SmmuFeatures { StallModel = 0 }; break;
            case "s-no-stall": Cd.S.Set(cd, 1); break;
            case "s-forced": features = new SmmuFeatures { StallModel = 2 }; break;
            case "endi": Cd.ENDI.Set(cd, 1); break;
            case "aa32": Cd.AA64.Set(cd, 0); break;
            case "ha": Cd.HA.Set(cd, 1); break;
            case "hd": Cd.HD.Set(cd, 1); break;
            case "asid16": Cd.ASID.Set(cd, 0x100); features = new SmmuFeatures { Asid16 = false }; break;
            case "t0sz-small": Cd.T0SZ.Set(cd, 15); break;
            case "t0sz-large": Cd.T0SZ.Set(cd, 40); break;
            case "t1sz": StructureImages.WithTtb1(cd, Ttb1, t1sz: 11); break;
            case "tg0-reserved": Cd.TG0.Set(cd, 3); break;
            case "tg0-unsupported": features = new SmmuFeatures { Granule4K = false }; break;
            case "tg1-reserved": StructureImages.WithTtb1(cd, Ttb1); Cd.TG1.Set(cd, 0); break;
            case "ttb0-ips": Cd.IPS.Set(cd, 0); Cd.TTB0.SetPresented(cd, 1UL << 32); break;
            case "ttb0-48": Cd.IPS.Set(cd, 6); Cd.TTB0.SetPresented(cd, 1UL << 48); features = new SmmuFeatures { OutputAddressBits = 52 }; break;
            case "ttb1-ips": StructureImages.WithTtb1(cd, 1UL << 48); break;
            default: throw new ArgumentException(name);
        }

        var bed = new ConfigTestBed(features);
        bed.WriteSte(1, ste);
        bed.Write(ConfigTestBed.CdTable + 64, cd);
        var r = bed.Lookup(1, 1);
        Assert.Equal(ConfigStatus.Fault, r.Status);
        Assert.Equal(EventId.C_BAD_CD, r.Fault.Event);
        Assert.Equal(reason, r.Fault.Reason);
        Assert.False(r.Context!.IsLegal);
        var record = r.Fault.ToEventRecord();
        Assert.Equal(EventId.C_BAD_CD, record.Id);
        Assert.Equal(1u, record.Ssid);
    }

    [Fact]
    public void Fields_of_a_disabled_table_are_not_checked()
    {
        var cd = StructureImages.MakeCd(Ttb0);
        Cd.T1SZ.Set(cd, 2);
        Cd.TG1.Set(cd, 0);
        Cd.TTB1.SetPresented(cd, 1UL << 50);
        Assert.True(Lookup(cd).IsOk);

        var only1 = StructureImages.WithTtb1(StructureImages.MakeCd(1UL << 50), Ttb1);
        Cd.EPD0.Set(only1, 1);
        Cd.T0SZ.Set(only1, 0);
        Cd.TG0.Set(only1, 3);
        var r = Lookup(only1);
        Assert.True(r.IsOk, r.ToString());
        Assert.Null(r.Context!.Tt0);
        Assert.Equal(Ttb1, r.Context.Tt1!.Value.TableBase);
    }

    [Fact]
    public void A_0_is_legal_because_TERM_MODEL_is_0()
    {
        var cd = StructureImages.MakeCd(Ttb0);
        Cd.A.Set(cd, 0);
        var r = Lookup(cd);
        Assert.True(r.IsOk);
        Assert.False(r.Context!.AbortOnTerminate);
    }

    [Fact]
    public void IPS_is_capped_by_the_OAS_and_TTB_is_aligned_to_the_start_table()
    {
        var cd = StructureImages.MakeCd(Ttb0 + 0x18, t0sz: 32); // 32-bit VA: 4 entries at level 1, 32 bytes
        Cd.IPS.Set(cd, 6);
        var r = Lookup(cd, new SmmuFeatures { OutputAddressBits = 44 });
        Assert.True(r.IsOk, r.ToString());
        Assert.Equal(44, r.Context!.OutputBits);
        Assert.Equal(Ttb0, r.Context.Tt0!.Value.TableBase);
        Assert.Equal(44, r.Context.Tt0.Value.OutputBits);
    }

    [Fact]
    public void Hierarchical_attribute_disables_and_the_access_flag_control_reach_the_walk()
    {
        var cd = StructureImages.WithTtb1(StructureImages.MakeCd(Ttb0, granule: Granule.Size64K, t0sz: 22), Ttb1, granule: Granule.Size16K);
        Cd.HAD0.Set(cd, 1);
        Cd.AFFD.Set(cd, 1);
        Cd.TBI1.Set(cd, 1);
        var c = Lookup(cd).Context!;
        Assert.True(c.Tt0!.Value.HierarchicalPermissionsDisabled);
        Assert.True(c.Tt0.Value.AccessFlagFaultDisabled);
        Assert.False(c.Tt1!.Value.HierarchicalPermissionsDisabled);
        Assert.Equal(Granule.Size64K, c.Tt0.Value.Granule);
        Assert.Equal(2, c.Tt0.Value.StartLevel);
        Assert.Equal(Granule.Size16K, c.Tt1.Value.Granule);
        Assert.True(c.Tbi1 && !c.Tbi0);
    }

    [Theory]
    [InlineData(0x0000_0012_3456_7000UL, true, 0)]
    [InlineData(0xFFFF_FFC0_0000_1000UL, true, 1)]
    [InlineData(0x0000_0080_0000_0000UL, false, -1)] // above the 39-bit TTB0 range
    [InlineData(0xFFFF_FF00_0000_0000UL, false, -1)] // below the 39-bit TTB1 range
    [InlineData(0x1200_0012_3456_7000UL, false, -1)] // tagged, TBI0 = 0
    [InlineData(0x12FF_FFC0_0000_1000UL, true, 1)]   // tagged, TBI1 = 1
    public void SelectTable_picks_TTB0_or_TTB1_by_the_top_address_bits(ulong va, bool ok, int table)
    {
        var cd = StructureImages.WithTtb1(StructureImages.MakeCd(Ttb0), Ttb1);
        Cd.TBI1.Set(cd, 1);
        var sel = Lookup(cd).Context!.SelectTable(va);
        Assert.Equal(ok, sel.Ok);
        if (ok)
        {
            Assert.Equal(table, sel.Table);
            Assert.Equal(table == 0 ? Ttb0 : Ttb1, sel.Parameters.TableBase);
        }
        else
        {
            Assert.Equal(EventId.F_TRANSLATION, sel.Fault.Fault);
            Assert.False(sel.Fault.FaultIsStage2);
            Assert.Equal(FaultClass.IN, sel.Fault.FaultClass);
        }
    }

    [Fact]
    public void SelectTable_faults_in_the_range_of_a_disabled_table()
    {
        var c = Lookup(StructureImages.MakeCd(Ttb0)).Context!; // EPD1 = 1
        Assert.True(c.SelectTable(0x1000).Ok);
        Assert.False(c.SelectTable(0xFFFF_FFC0_0000_0000).Ok);
    }

    [Fact]
    public void At_NS_EL2_there_is_one_VA_range_and_no_ASID()
    {
        var ste = StructureImages.Stage1(ConfigTestBed.CdTable);
        Ste.STRW.Set(ste, 2);
        var cd = StructureImages.WithTtb1(StructureImages.MakeCd(Ttb0, asid: 0x1FF), 1UL << 50, t1sz: 3);
        Cd.EPD0.Set(cd, 1); // effectively 0 at EL2
        var bed = new ConfigTestBed(new SmmuFeatures { Hyp = true, Asid16 = false });
        bed.WriteSte(1, ste);
        bed.Write(ConfigTestBed.CdTable, cd);
        var r = bed.Lookup(1);
        Assert.True(r.IsOk, r.ToString());
        Assert.Equal(StreamWorld.NsEl2, r.Context!.StreamWorld);
        Assert.Equal((ushort)0, r.Context.Asid);
        Assert.NotNull(r.Context.Tt0);
        Assert.Null(r.Context.Tt1);
        Assert.True(r.Context.SelectTable(0x1000).Ok);
        Assert.False(r.Context.SelectTable(0xFFFF_FFC0_0000_0000).Ok);
    }

    private static ConfigResult Lookup(ulong[] cd, SmmuFeatures? features = null)
    {
        var bed = new ConfigTestBed(features);
        bed.WriteSte(1, StructureImages.Stage1(ConfigTestBed.CdTable));
        bed.Write(ConfigTestBed.CdTable, cd);
        return bed.Lookup(1);
    }
}
