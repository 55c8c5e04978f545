using SmmuLab.Architecture.Commands;
using SmmuLab.Reporting;

namespace SmmuLab.Scenarios.Tests;

public class CmdqvScenarioTests
{
    [Fact]
    public void CMDQV_key_routes_kernel_invalidations_to_VCMDQs()
    {
        var scenario = ScenarioParser.ParseFile(Path.Combine(ScenarioParserTests.RepositoryRoot(), "scenarios", "cmdqv.toml"));
        Assert.True(scenario.Smmus[0].Cmdqv);
        using var machine = new DriverScenarioMachine(scenario);
        var report = new ScenarioRunner(machine).Run(scenario);
        Assert.True(report.Succeeded, report.Format());

        // The unmap's TLBI and ATC_INV went to a VCMDQ: the SMMU's own queue saw neither.
        var main = machine.Machine.Smmu("smmu0").Device.Statistics;
        Assert.Equal(0, main.Commands(Opcode.CMD_TLBI_NH_VA));
        Assert.Equal(0, main.Commands(Opcode.CMD_ATC_INV));
        var hw = machine.Machine.Cmdqv("smmu0").Device;
        var vcmdqTlbis = Enumerable.Range(0, 16).Sum(q => hw.QueueStatistics(q).Commands(Opcode.CMD_TLBI_NH_VA));
        Assert.True(vcmdqTlbis > 0);

        // The SMMU's summary counts the VCMDQs' commands too, split by queue and summed.
        var summary = report.Smmus[0];
        Assert.Equal(main.CommandsConsumed, summary.CmdqCommandCount);
        Assert.Equal(Enumerable.Range(0, 16).Sum(q => hw.QueueStatistics(q).CommandsConsumed), summary.VcmdqCommandCount);
        Assert.Equal(summary.CmdqCommandCount + summary.VcmdqCommandCount, summary.CommandCount);
        Assert.Equal(summary.CommandCount, summary.AllCommands.Sum(c => c.Count));
        Assert.Contains($"commands consumed: {summary.CommandCount} ({summary.SyncCount} CMD_SYNC) = {summary.CmdqCommandCount} on the main CMDQ + "
            + $"{summary.VcmdqCommandCount} on VCMDQs", report.Format(), StringComparison.Ordinal);
    }
}
