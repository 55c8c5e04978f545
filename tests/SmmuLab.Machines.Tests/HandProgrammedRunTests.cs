using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Machines.Tests;

public class HandProgrammedRunTests
{
    [Theory]
    [InlineData(ConsumptionMode.Inline)]
    [InlineData(ConsumptionMode.FreeRunning)]
    public void Default_run_translates_then_faults_after_unmap(ConsumptionMode mode)
    {
        var summary = HandProgrammedRun.Run(mode);

        // 35 pages x 4 passes x 2 endpoints, plus one read and one write after the unmap.
        Assert.Equal(35 * 4 * 2 + 2, summary.Translations);
        Assert.True(summary.TlbHits > summary.TlbMisses, "repeated passes must hit the TLB");
        Assert.Equal(2, summary.Faults);
        Assert.Equal([(EventId.F_TRANSLATION, 2L)], summary.Events);
        Assert.Contains((Opcode.CMD_TLBI_NH_VA, 2L), summary.Commands);
        Assert.Contains((Opcode.CMD_TLBI_S2_IPA, 2L), summary.Commands);
        Assert.Equal(4, summary.SyncCount); // reset, one per STE, the unmap
        Assert.True(summary.ModeledNanoseconds > 0);
    }
}
