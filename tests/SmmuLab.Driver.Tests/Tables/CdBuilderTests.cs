using SmmuLab.Driver.Tables;
using static SmmuLab.Driver.Tests.Tables.EntryFixtures;

namespace SmmuLab.Driver.Tests.Tables;

/// <summary>
/// CD images against values worked out by hand from the CD layout (reference §3.2, §3.5): dw0 T0SZ[5:0],
/// TG0[7:6], IR0[9:8], OR0[11:10], SH0[13:12], EPD0[14], ENDI[15], EPD1[30], V[31], IPS[34:32],
/// AA64[41], HD[42], HA[43], S[44], R[45], A[46], ASET[47], ASID[63:48]; dw1 TTB0[51:4]; dw3 MAIR.
/// </summary>
public sealed class CdBuilderTests
{
    private const ulong Ttb0 = 0x000D_BEEF_DEAD_BEE0;

    [Fact]
    public void S1_CD_fixture()
    {
        // Low word: T0SZ 4 | TG0 2<<6 | IR0 2<<8 | OR0 1<<10 | SH0 3<<12 | EPD1 | V = 0xC0003684.
        // High word: IPS 1 | AA64 1<<9 | R 1<<13 | A 1<<14 | ASET 1<<15 | ASID 1997 (0x7CD) << 16 = 0x07CDE201.
        Assert.Equal([0x07CD_E201_C000_3684UL, Ttb0, 0, FakeMair, 0, 0, 0, 0], S1Cd(Asid2));
    }

    [Fact]
    public void S1_CD_for_stalling_master_with_dirty_tracking()
    {
        var cd = new ulong[8];
        var tcr = new TcrConfig(Tsz: 4, Tg: 2, Irgn: 2, Orgn: 1, Sh: 3, Ips: 1);
        CdBuilder.MakeS1(cd, Features, new Stage1Config(FakeTtbr, tcr, FakeMair, Asid2, DirtyTracking: true), stallEnabled: true);

        // Adds S (1<<44), HD (1<<42) and HA (1<<43).
        Assert.Equal(0x07CD_FE01_C000_3684UL, cd[0]);
    }

    [Fact]
    public void S1_CD_on_big_endian_host_sets_endi()
    {
        var cd = new ulong[8];
        var tcr = new TcrConfig(Tsz: 4, Tg: 2, Irgn: 2, Orgn: 1, Sh: 3, Ips: 1);
        CdBuilder.MakeS1(cd, new EntryFeatures(BigEndian: true), new Stage1Config(FakeTtbr, tcr, FakeMair, Asid2), stallEnabled: false);
        Assert.Equal(0x07CD_E201_C000_B684UL, cd[0]);
    }

    [Fact]
    public void SVA_CD()
    {
        // Low word: T0SZ 16 | TG0 0 | IR0 1<<8 | OR0 1<<10 | SH0 3<<12 | EPD1 | V = 0xC0003510.
        // High word: IPS 5 | AA64 | R | A | ASET | ASID 0x7CD << 16 = 0x07CDE205.
        Assert.Equal([0x07CD_E205_C000_3510UL, Ttb0, 0, FakeMair, 0, 0, 0, 0], EntryFixtures.SvaCd(Asid2));
    }

    [Fact]
    public void SVA_release_CD_disables_ttb0_and_fault_recording()
    {
        // Low word: EPD0 1<<14 | EPD1 | V = 0xC0004000. High word: IPS 5 | AA64 | A | ASET | ASID (no R).
        Assert.Equal([0x07CD_C205_C000_4000UL, 0, 0, FakeMair, 0, 0, 0, 0], SvaReleaseCd(Asid2));
    }

    [Fact]
    public void SVA_release_CD_keeps_stall_and_record_when_stalls_are_forced()
    {
        var cd = new ulong[8];
        CdBuilder.MakeSvaRelease(cd, new EntryFeatures(Stalls: true, StallForce: true), Sva(Asid2), stallEnabled: true);
        Assert.Equal(0x07CD_F205_C000_4000UL, cd[0]);
    }

    [Fact]
    public void Clear_overwrites_everything()
    {
        var cd = new ulong[8];
        cd.AsSpan().Fill(ulong.MaxValue);
        CdBuilder.Clear(cd);
        Assert.All(cd, q => Assert.Equal(0UL, q));
    }
}
