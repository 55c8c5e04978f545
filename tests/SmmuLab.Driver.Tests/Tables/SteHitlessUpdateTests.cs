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
    public void BypassToAbort() => ExpectHitless(Bypass(), Abort(), syncs: 2);

    [Fact]
    public void AbortToBypass() => ExpectHitless(Abort(), Bypass(), syncs: 2);

    [Fact]
    public void CdTableToAbort() => ExpectHitless(CdTable(S1Dss.Ssid0, TestMaster.Ats), Abort(), syncs: 2);

    [Fact]
    public void AbortToCdTable() => ExpectHitless(Abort(), CdTable(S1Dss.Ssid0, TestMaster.Ats), syncs: 2);

    [Fact]
    public void CdTableToBypass() => ExpectHitless(CdTable(S1Dss.Ssid0, TestMaster.Ats), Bypass(), syncs: 3);

    [Fact]
    public void BypassToCdTable() => ExpectHitless(Bypass(), CdTable(S1Dss.Ssid0, TestMaster.Ats), syncs: 3);

    [Fact]
    public void CdTableS1DssChange()
    {
        // Only qword 1 differs, so each direction is a single store.
        var ssid0 = CdTable(S1Dss.Ssid0, TestMaster.Ats);
        var bypass = CdTable(S1Dss.Bypass, TestMaster.Ats);
        ExpectHitless(ssid0, bypass, syncs: 1);
        ExpectHitless(bypass, ssid0, syncs: 1);
    }

    [Fact]
    public void S1DssBypassToSteBypass() => ExpectHitless(CdTable(S1Dss.Bypass, TestMaster.Ats), Bypass(), syncs: 2);

    [Fact]
    public void SteBypassToS1DssBypass() => ExpectHitless(Bypass(), CdTable(S1Dss.Bypass, TestMaster.Ats), syncs: 2);

    [Fact]
    public void S2ToAbort() => ExpectHitless(S2Domain(TestMaster.Ats), Abort(), syncs: 2);

    [Fact]
    public void AbortToS2() => ExpectHitless(Abort(), S2Domain(TestMaster.Ats), syncs: 2);

    [Fact]
    public void S2ToBypass() => ExpectHitless(S2Domain(TestMaster.Ats), Bypass(), syncs: 2);

    [Fact]
    public void BypassToS2() => ExpectHitless(Bypass(), S2Domain(TestMaster.Ats), syncs: 2);

    [Fact]
    public void S1ToS2() => ExpectHitless(CdTable(S1Dss.Ssid0, TestMaster.Ats), S2Domain(TestMaster.Ats), syncs: 3);

    [Fact]
    public void S2ToS1() => ExpectHitless(S2Domain(TestMaster.Ats), CdTable(S1Dss.Ssid0, TestMaster.Ats), syncs: 3);

    [Fact]
    public void NonHitless()
    {
        // S1DSS (qword 1) and S1ContextPtr (qword 0) both change: V must go to 0 first.
        var from = CdTable(S1Dss.Ssid0, TestMaster.Ats);
        var to = CdTable(S1Dss.Bypass, 0x4B4B4b4B4B, TestMaster.Ats);
        ExpectTransition(from, to, syncs: 3, hitless: false);
    }

    [Fact]
    public void S1ToS2Stall() => ExpectHitless(CdTable(S1Dss.Ssid0, TestMaster.Stall), S2Domain(TestMaster.Stall), syncs: 3);

    [Fact]
    public void S2ToS1Stall() => ExpectHitless(S2Domain(TestMaster.Stall), CdTable(S1Dss.Ssid0, TestMaster.Stall), syncs: 3);

    [Fact]
    public void NestedS1DssBypassToS1Bypass()
    {
        // The third sync clears EATS and MEV, which the plain stage-2 target does not set.
        var nested = CdTable(S1Dss.Bypass, TestMaster.Ats | TestMaster.Nested);
        ExpectHitless(nested, S2Domain(TestMaster.None), syncs: 3);
    }

    [Fact]
    public void NestedS1BypassToS1DssBypass()
    {
        var nested = CdTable(S1Dss.Bypass, TestMaster.Ats | TestMaster.Nested);
        ExpectHitless(S2Domain(TestMaster.None), nested, syncs: 2);
    }

    private static void ExpectHitless(ulong[] from, ulong[] to, int syncs) => ExpectTransition(from, to, syncs, hitless: true);

    private static void ExpectTransition(ulong[] from, ulong[] to, int syncs, bool hitless)
    {
        var harness = EntryWriteHarness.ForSte(from, to);
        harness.Run();
        Assert.Empty(harness.Violations);
        Assert.Equal(!hitless, harness.InvalidEntryWritten);
        Assert.Equal(syncs, harness.Syncs);
        Assert.Equal(to, harness.Entry);
    }
}
