using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Driver.Tables;
using static SmmuLab.Driver.Tests.Tables.EntryFixtures;

namespace SmmuLab.Driver.Tests.Tables;

/// <summary>
/// STE images against values worked out by hand from the STE layout (reference §2.2, §2.6): dw0 V[0],
/// Config[3:1], S1Fmt[5:4], S1ContextPtr[51:6], S1CDMax[63:59]; dw1 S1DSS[1:0], S1CIR[3:2],
/// S1COR[5:4], S1CSH[7:6], MEV[19], S2FWB[25], S1STALLD[27], EATS[29:28], STRW[31:30], SHCFG[45:44];
/// dw2 S2VMID[15:0], VTCR[50:32], S2AA64[51], S2PTW[54], S2S[57], S2R[58]; dw3 S2TTB[51:4].
/// </summary>
public sealed class SteBuilderTests
{
    // T0SZ 4 | SL0 3<<6 | IR0 2<<8 | OR0 1<<10 | SH0 3<<12 | TG 2<<14 | PS 1<<16 = 0x1B6C4 at bit 32,
    // with S2AA64 (1<<51), S2PTW (1<<54) and S2R (1<<58).
    private const ulong S2Dw2 = 0x0449_B6C4_0000_0000;
    private const ulong S2Dw3 = 0x000D_BEEF_DEAD_BEE0;

    [Fact]
    public void Abort() => Assert.Equal([0x1UL, 0, 0, 0, 0, 0, 0, 0], EntryFixtures.Abort());

    [Fact]
    public void Bypass_with_attribute_override_takes_incoming_shareability() =>
        Assert.Equal([0x9UL, 0x0000_1000_0000_0000, 0, 0, 0, 0, 0, 0], Bypass());

    [Fact]
    public void Bypass_without_attribute_override()
    {
        var ste = new ulong[8];
        SteBuilder.MakeBypass(ste, new EntryFeatures());
        Assert.Equal([0x9UL, 0, 0, 0, 0, 0, 0, 0], ste);
    }

    [Fact]
    public void CD_table_SSID0_with_ATS()
    {
        // dw0: V | Config 5 (0xA) | S1Fmt 2 (0x20) | 0xF0F0F0F0F0C0 | S1CDMax 0x1F (0xFF truncated) << 59.
        // dw1: S1DSS 2 | S1CIR 1<<2 | S1COR 1<<4 | S1CSH 3<<6 | S1STALLD | EATS 1<<28.
        Assert.Equal(
            [0xF800_F0F0_F0F0_F0EBUL, 0x1800_00D6, 0, 0, 0, 0, 0, 0],
            CdTable(S1Dss.Ssid0, TestMaster.Ats));
    }

    [Fact]
    public void CD_table_S1DSS_bypass_takes_incoming_shareability() =>
        Assert.Equal(0x0000_1000_1800_00D5UL, CdTable(S1Dss.Bypass, TestMaster.Ats)[1]);

    [Fact]
    public void CD_table_for_stalling_master_has_no_S1_stall_d() =>
        Assert.Equal(0xD6UL, CdTable(S1Dss.Ssid0, TestMaster.Stall)[1]);

    [Fact]
    public void CD_table_without_stall_support_has_no_S1_stall_d()
    {
        var ste = new ulong[8];
        SteBuilder.MakeCdTable(ste, new EntryFeatures(), new CdTableConfig(0x4000, 0, S1Fmt.Linear), S1Dss.Ssid0, false, false);
        Assert.Equal([0x4000UL | 0xB, 0xD6, 0, 0, 0, 0, 0, 0], ste);
    }

    [Fact]
    public void CD_table_with_e2_h_uses_stream_world_el2()
    {
        var ste = new ulong[8];
        ste.AsSpan().Fill(ulong.MaxValue);
        SteBuilder.MakeCdTable(ste, new EntryFeatures(E2H: true), new CdTableConfig(0x4000, 0, S1Fmt.Linear), S1Dss.Ssid0, false, false);
        Assert.Equal([0x4000UL | 0xB, 0x8000_00D6, 0, 0, 0, 0, 0, 0], ste);
    }

    [Fact]
    public void CD_table_pointer_is_masked_to_bits51_to6()
    {
        var ste = new ulong[8];
        SteBuilder.MakeCdTable(ste, new EntryFeatures(), new CdTableConfig(0xFFFF_FFFF_FFFF_FFFF, 0, S1Fmt.Linear), S1Dss.Ssid0, false, false);
        Assert.Equal(0x000F_FFFF_FFFF_FFC0UL | 0xB, ste[0]);
    }

    [Fact]
    public void S2_domain_with_ATS() =>
        Assert.Equal([0xDUL, 0x0000_1000_1000_0000, S2Dw2, S2Dw3, 0, 0, 0, 0], S2Domain(TestMaster.Ats));

    [Fact]
    public void S2_domain_for_stalling_master_sets_S2_s() =>
        Assert.Equal([0xDUL, 0x0000_1000_0000_0000, S2Dw2 | (1UL << 57), S2Dw3, 0, 0, 0, 0], S2Domain(TestMaster.Stall));

    [Fact]
    public void S2_domain_VMID_fwb_and_big_endian()
    {
        var ste = new ulong[8];
        SteBuilder.MakeS2Domain(ste, new EntryFeatures(BigEndian: true), S2 with { Vmid = 0x1234, S2Fwb = true }, false, false);
        Assert.Equal([0xDUL, 0x0200_0000, S2Dw2 | (1UL << 52) | 0x1234, S2Dw3, 0, 0, 0, 0], ste);
    }

    [Fact]
    public void Nested_CD_table_merges_guest_stage1_and_sets_mev()
    {
        // Guest: V | Config 5 | S1ContextPtr 0x12340; S1DSS bypass, S1CIR/S1COR 1, S1CSH 3, plus EATS and
        // SW_RESERVED bits the host must drop.
        ulong[] guest = [0x1234B, 0xD5 | 0x1000_0000 | 0x0010_0000];
        var ste = new ulong[8];
        SteBuilder.MakeNestedCdTable(ste, Features, S2 with { Vmid = 5 }, guest, atsEnabled: false, stallEnabled: false);
        Assert.Equal([0x1234FUL, 0x0000_1000_0008_00D5, S2Dw2 | 5, S2Dw3, 0, 0, 0, 0], ste);
    }

    [Fact]
    public void Nested_CD_table_with_ATS_takes_host_EATS()
    {
        ulong[] guest = [0x1234B, 0xD5];
        var ste = new ulong[8];
        SteBuilder.MakeNestedCdTable(ste, Features, S2, guest, atsEnabled: true, stallEnabled: false);
        Assert.Equal(0x0000_1000_1008_00D5UL, ste[1]);
    }

    [Theory]
    [InlineData(0x0UL)] // V = 0
    [InlineData(0x1UL)] // abort
    [InlineData(0xDUL)] // S2 translate: not a guest configuration
    public void Nested_domain_aborts_for_an_invalid_or_abort_guest(ulong guestDw0)
    {
        var ste = new ulong[8];
        SteBuilder.MakeNestedDomain(ste, Features, S2, [guestDw0, 0], atsEnabled: true, stallEnabled: false);
        Assert.Equal([0x1UL, 0, 0, 0, 0, 0, 0, 0], ste);
    }

    [Fact]
    public void Nested_domain_guest_bypass_is_the_stage2_parent_without_ATS()
    {
        var ste = new ulong[8];
        SteBuilder.MakeNestedDomain(ste, Features, S2, [0x9, 0], atsEnabled: true, stallEnabled: false);
        Assert.Equal([0xDUL, 0x0000_1000_0000_0000, S2Dw2, S2Dw3, 0, 0, 0, 0], ste);
    }

    [Fact]
    public void Nested_domain_guest_S1_is_nested_CD_table()
    {
        var ste = new ulong[8];
        SteBuilder.MakeNestedDomain(ste, Features, S2, [0x1234B, 0xD5], atsEnabled: false, stallEnabled: false);
        Assert.Equal(SteConfig.Nested, Ste.Config.Get(ste[0]));
        Assert.Equal(0x12340UL, Ste.S1ContextPtr.GetAddress(ste[0]));
    }

    [Fact]
    public void Builders_set_only_bits_their_configuration_uses()
    {
        ulong[][] images =
        [
            EntryFixtures.Abort(), Bypass(),
            CdTable(S1Dss.Ssid0, TestMaster.Ats), CdTable(S1Dss.Bypass, TestMaster.Stall),
            CdTable(S1Dss.Bypass, TestMaster.Ats | TestMaster.Nested),
            S2Domain(TestMaster.Ats), S2Domain(TestMaster.Stall),
        ];
        var used = new ulong[8];
        foreach (var image in images)
        {
            EntryUsedBits.GetSteUsed(image, used);
            for (var i = 0; i < 8; i++)
            {
                Assert.Equal(0UL, image[i] & ~used[i]);
            }
        }
    }

    [Fact]
    public void Builders_reject_short_spans() =>
        Assert.Throws<ArgumentException>(() => SteBuilder.MakeAbort(new ulong[Ste.Dwords - 1]));

    [Fact]
    public void CD_builder_rejects_short_spans() =>
        Assert.Throws<ArgumentException>(() => CdBuilder.Clear(new ulong[Cd.Dwords - 1]));
}
