using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Machines.Tests;

/// <summary>Every untranslated transaction counted once by how it ended, adding up to the translations.</summary>
public sealed class TransactionOutcomeTests
{
    [Fact]
    public void Walk_hit_and_fault_each_count_once_and_add_up()
    {
        using var m = new HandProgrammedMachine();
        var table = m.AddStage1Stream(0x20, asid: 5);
        table.Map(0x1000_0000, 0x8000_0000, 0x2000);

        Assert.Equal(TransactionOutcome.Translated, m.Smmu.Translate(0x20, null, 0x1000_0000, AccessKind.Read).Outcome); // walk
        Assert.Equal(TransactionOutcome.Translated, m.Smmu.Translate(0x20, null, 0x1000_0008, AccessKind.Read).Outcome); // TLB
        Assert.Equal(TransactionOutcome.Translated, m.Smmu.Translate(0x20, null, 0x1000_1000, AccessKind.Read).Outcome); // walk
        Assert.Equal(TransactionOutcome.Aborted, m.Smmu.Translate(0x20, null, 0x2000_0000, AccessKind.Read).Outcome);    // unmapped
        Assert.Equal(TransactionOutcome.Aborted, m.Smmu.Translate(0x7F, null, 0x1000_0000, AccessKind.Read).Outcome);    // no STE

        var o = m.Smmu.Statistics.Outcomes;
        Assert.Equal(new TransactionOutcomes(FromTlb: 1, AfterWalk: 2, Bypassed: 0, RazWi: 0, Aborted: 2), o);
        Assert.Equal(m.Smmu.Statistics.Translations, o.Total);
    }

    [Fact]
    public void A_disabled_SMMU_bypasses_and_is_counted_as_bypassed()
    {
        using var m = new HandProgrammedMachine();
        m.Smmu.Write32(SmmuRegister.CR0, 0); // SMMUEN = 0, GBPA.ABORT = 0 after reset: bypass

        var result = m.Smmu.Translate(0x20, null, 0x1234_5000, AccessKind.Write);

        Assert.Equal(TransactionOutcome.Bypassed, result.Outcome);
        Assert.Equal(new TransactionOutcomes(0, 0, Bypassed: 1, 0, 0), m.Smmu.Statistics.Outcomes);
    }
}
