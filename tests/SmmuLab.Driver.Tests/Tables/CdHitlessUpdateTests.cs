using static SmmuLab.Driver.Tests.Tables.EntryFixtures;

namespace SmmuLab.Driver.Tests.Tables;

/// <summary>
/// The CD cases of the Linux KUnit suite "arm-smmu-v3-kunit-test" (reference §2.2, cases 17, 18, 23
/// and 24): same fixtures, same expected sync counts and hitless verdicts.
/// </summary>
public sealed class CdHitlessUpdateTests
{
    [Fact]
    public void S1_clear()
    {
        // An invalid CD uses only V, so installing or removing a CD must pass through V=0.
        ExpectTransition(ClearCd(), S1Cd(Asid2), syncs: 2, hitless: false);
        ExpectTransition(S1Cd(Asid2), ClearCd(), syncs: 2, hitless: false);
    }

    [Fact]
    public void S1_change_ASID()
    {
        ExpectTransition(S1Cd(Asid1), S1Cd(Asid2), syncs: 1, hitless: true);
        ExpectTransition(S1Cd(Asid2), S1Cd(Asid1), syncs: 1, hitless: true);
    }

    [Fact]
    public void SVA_clear()
    {
        ExpectTransition(ClearCd(), SvaCd(Asid2), syncs: 2, hitless: false);
        ExpectTransition(SvaCd(Asid2), ClearCd(), syncs: 2, hitless: false);
    }

    [Fact]
    public void SVA_release()
    {
        // TTB0 and its walk controls are ignored under EPD0, so only qword 0 is critical.
        ExpectTransition(SvaCd(Asid2), SvaReleaseCd(Asid2), syncs: 2, hitless: true);
        ExpectTransition(SvaReleaseCd(Asid2), SvaCd(Asid2), syncs: 2, hitless: true);
    }

    private static void ExpectTransition(ulong[] from, ulong[] to, int syncs, bool hitless) =>
        EntryWriteHarness.ForCd(from, to).AssertTransition(syncs, hitless);
}
