using SmmuLab.Architecture.StreamTable;
using static SmmuLab.Driver.Tests.Tables.EntryFixtures;

namespace SmmuLab.Driver.Tests.Tables;

/// <summary>
/// The STE cases of the Linux KUnit suite "arm-smmu-v3-kunit-test" (reference §2.2, cases 1-16 and
/// 19-22): same fixtures, same expected sync counts and hitless verdicts.
/// </summary>
public sealed class SteHitlessUpdateTests
{
    [Fact]
    public void Bypass_to_abort() => ExpectHitless(Bypass(), Abort(), syncs: 2);

    [Fact]
    public void Abort_to_bypass() => ExpectHitless(Abort(), Bypass(), syncs: 2);

    [Fact]
    public void CD_table_to_abort() => ExpectHitless(CdTable(S1Dss.Ssid0, TestMaster.Ats), Abort(), syncs: 2);

    [Fact]
    public void Abort_to_CD_table() => ExpectHitless(Abort(), CdTable(S1Dss.Ssid0, TestMaster.Ats), syncs: 2);

    [Fact]
    public void CD_table_to_bypass() => ExpectHitless(CdTable(S1Dss.Ssid0, TestMaster.Ats), Bypass(), syncs: 3);

    [Fact]
    public void Bypass_to_CD_table() => ExpectHitless(Bypass(), CdTable(S1Dss.Ssid0, TestMaster.Ats), syncs: 3);

    [Fact]
    public void CD_table_S1DSS_change()
    {
        // Only qword 1 differs, so each direction is a single store.
        var ssid0 = CdTable(S1Dss.Ssid0, TestMaster.Ats);
        var bypass = CdTable(S1Dss.Bypass, TestMaster.Ats);
        ExpectHitless(ssid0, bypass, syncs: 1);
        ExpectHitless(bypass, ssid0, syncs: 1);
    }

    [Fact]
    public void S1_dss_bypass_to_STE_bypass() => ExpectHitless(CdTable(S1Dss.Bypass, TestMaster.Ats), Bypass(), syncs: 2);

    [Fact]
    public void STE_bypass_to_S1DSS_bypass() => ExpectHitless(Bypass(), CdTable(S1Dss.Bypass, TestMaster.Ats), syncs: 2);

    [Fact]
    public void S2_to_abort() => ExpectHitless(S2Domain(TestMaster.Ats), Abort(), syncs: 2);

    [Fact]
    public void Abort_to_S2() => ExpectHitless(Abort(), S2Domain(TestMaster.Ats), syncs: 2);

    [Fact]
    public void S2_to_bypass() => ExpectHitless(S2Domain(TestMaster.Ats), Bypass(), syncs: 2);

    [Fact]
    public void Bypass_to_S2() => ExpectHitless(Bypass(), S2Domain(TestMaster.Ats), syncs: 2);

    [Fact]
    public void S1_to_S2() => ExpectHitless(CdTable(S1Dss.Ssid0, TestMaster.Ats), S2Domain(TestMaster.Ats), syncs: 3);

    [Fact]
    public void S2_to_S1() => ExpectHitless(S2Domain(TestMaster.Ats), CdTable(S1Dss.Ssid0, TestMaster.Ats), syncs: 3);

    [Fact]
    public void Non_hitless()
    {
        // S1DSS (qword 1) and S1ContextPtr (qword 0) both change: V must go to 0 first.
        var from = CdTable(S1Dss.Ssid0, TestMaster.Ats);
        var to = CdTable(S1Dss.Bypass, 0x4B4B4b4B4B, TestMaster.Ats);
        ExpectTransition(from, to, syncs: 3, hitless: false);
    }

    [Fact]
    public void S1_to_S2_stall() => ExpectHitless(CdTable(S1Dss.Ssid0, TestMaster.Stall), S2Domain(TestMaster.Stall), syncs: 3);

    [Fact]
    public void S2_to_S1_stall() => ExpectHitless(S2Domain(TestMaster.Stall), CdTable(S1Dss.Ssid0, TestMaster.Stall), syncs: 3);

    [Fact]
    public void Nested_S1DSS_bypass_to_S1_bypass()
    {
        // The third sync clears EATS and MEV, which the plain stage-2 target does not set.
        var nested = CdTable(S1Dss.Bypass, TestMaster.Ats | TestMaster.Nested);
        ExpectHitless(nested, S2Domain(TestMaster.None), syncs: 3);
    }

    [Fact]
    public void Nested_S1_bypass_to_S1DSS_bypass()
    {
        var nested = CdTable(S1Dss.Bypass, TestMaster.Ats | TestMaster.Nested);
        ExpectHitless(S2Domain(TestMaster.None), nested, syncs: 2);
    }

    private static void ExpectHitless(ulong[] from, ulong[] to, int syncs) => ExpectTransition(from, to, syncs, hitless: true);

    private static void ExpectTransition(ulong[] from, ulong[] to, int syncs, bool hitless) =>
        EntryWriteHarness.ForSte(from, to).AssertTransition(syncs, hitless);
}
