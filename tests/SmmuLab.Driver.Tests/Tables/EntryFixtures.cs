using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Driver.Tables;

namespace SmmuLab.Driver.Tests.Tables;

/// <summary>Master properties the Linux KUnit STE/CD tests vary.</summary>
[Flags]
public enum TestMaster
{
    None = 0,
    Ats = 1,
    Stall = 2,
    Nested = 4,
}

/// <summary>
/// The fixtures of the Linux "arm-smmu-v3-kunit-test" STE/CD hitless-update cases (reference §2.2):
/// an SMMU with stalls and attribute overrides, a CD table at 0xF0F0F0F0F0F0 (S1CDMax 0xFF, 64K L2),
/// a stage-2 domain and a stage-1 CD over tables at 0xdaedbeefdeadbeef, and SVA CDs.
/// </summary>
internal static class EntryFixtures
{
    public const ulong FakeCdTableDma = 0xF0F0F0F0F0F0;
    public const ulong FakeTtbr = 0xdaedbeefdeadbeef;
    public const ulong FakeMair = 0xabcdef012345678;
    public const ushort Asid1 = 778;
    public const ushort Asid2 = 1997;

    public static readonly EntryFeatures Features = new(Stalls: true, AttrTypesOverride: true);

    public static readonly Stage2Config S2 = new(
        Vttbr: FakeTtbr, Vmid: 0, Vtcr: new VtcrConfig(Tsz: 4, Sl: 3, Irgn: 2, Orgn: 1, Sh: 3, Tg: 2, Ps: 1));

    /// <summary>The CPU regime of the SVA fixture (a 48-bit VA, 4K pages host); only the ASID varies in the cases.</summary>
    public static SvaCdConfig Sva(ushort asid) => new(Asid: asid, Mair: FakeMair, Ips: 5, Tsz: 16, Tg: 0);

    public static ulong[] Abort()
    {
        var ste = new ulong[Ste.Dwords];
        SteBuilder.MakeAbort(ste);
        return ste;
    }

    public static ulong[] Bypass()
    {
        var ste = new ulong[Ste.Dwords];
        SteBuilder.MakeBypass(ste, Features);
        return ste;
    }

    /// <summary>
    /// A CD-table STE like the KUnit fixture builds it; with <see cref="TestMaster.Nested"/> the Config
    /// becomes nested, MEV is set and qwords 2..7 come from a stage-2 STE.
    /// </summary>
    public static ulong[] CdTable(uint s1dss, ulong cdTableDma, TestMaster master)
    {
        var ste = new ulong[Ste.Dwords];
        var cdTable = new CdTableConfig(cdTableDma, S1CdMax: 0xFF, S1Fmt: S1Fmt.TwoLevel64K);
        SteBuilder.MakeCdTable(
            ste, Features, cdTable, s1dss, master.HasFlag(TestMaster.Ats), master.HasFlag(TestMaster.Stall));
        if (master.HasFlag(TestMaster.Nested))
        {
            var s2 = S2Domain(TestMaster.None);
            ste[0] = Ste.Config.Insert(ste[0], SteConfig.Nested);
            ste[1] |= Ste.MEV.Make(1);
            s2.AsSpan(2).CopyTo(ste.AsSpan(2));
        }

        return ste;
    }

    public static ulong[] CdTable(uint s1dss, TestMaster master) => CdTable(s1dss, FakeCdTableDma, master);

    public static ulong[] S2Domain(TestMaster master)
    {
        var ste = new ulong[Ste.Dwords];
        SteBuilder.MakeS2Domain(ste, Features, S2, master.HasFlag(TestMaster.Ats), master.HasFlag(TestMaster.Stall));
        return ste;
    }

    public static ulong[] S1Cd(ushort asid)
    {
        var cd = new ulong[Cd.Dwords];
        var tcr = new TcrConfig(Tsz: 4, Tg: 2, Irgn: 2, Orgn: 1, Sh: 3, Ips: 1);
        CdBuilder.MakeS1(cd, Features, new Stage1Config(FakeTtbr, tcr, FakeMair, asid), stallEnabled: false);
        return cd;
    }

    public static ulong[] SvaCd(ushort asid)
    {
        var cd = new ulong[Cd.Dwords];
        CdBuilder.MakeSva(cd, Features, Sva(asid), pgd: FakeTtbr, stallEnabled: false);
        return cd;
    }

    public static ulong[] SvaReleaseCd(ushort asid)
    {
        var cd = new ulong[Cd.Dwords];
        CdBuilder.MakeSvaRelease(cd, Features, Sva(asid), stallEnabled: false);
        return cd;
    }

    public static ulong[] ClearCd() => new ulong[Cd.Dwords];
}
