using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Machines.Bench;
using SmmuLab.Scenarios.Bench;
using SmmuLab.TestSupport.Scenarios;

namespace SmmuLab.Scenarios.Tests.Bench;

/// <summary>The benchmark on a machine taken from a scenario file.</summary>
public class BenchScenarioMachineTests
{
    private static Scenario CmdqvScenario() =>
        ScenarioParser.ParseFile(Path.Combine(ScenarioParserTests.RepositoryRoot(), "scenarios", "cmdqv.toml"));

    [Fact]
    public void The_first_device_of_the_scenario_is_mapped_for_with_the_design_asked()
    {
        var (owner, device) = BenchScenarioMachine.Build(CmdqvScenario(), InvalidationDesigns.Create(InvalidationDesigns.Legacy));
        using (owner)
        {
            Assert.Equal("nic", device.Name);
            Assert.Equal(InvalidationDesigns.Legacy, owner.Machine.Iommu.Design.Name);
            Assert.True(owner.Machine.HasCmdqv("smmu0"));
        }
    }

    [Theory]
    [InlineData(InvalidationDesigns.Linux)]
    [InlineData(InvalidationDesigns.Legacy)]
    public void Threads_of_a_CMDQV_machine_send_through_their_own_VCMDQs(string design)
    {
        var (owner, device) = BenchScenarioMachine.Build(CmdqvScenario(), InvalidationDesigns.Create(design));
        using (owner)
        {
            var r = DmaMapBenchmark.Run(owner.Machine, device, new DmaMapBenchmarkOptions
            {
                Threads = 2,
                Duration = TimeSpan.FromSeconds(30),
                MaxLoopsPerThread = 100,
            });

            // The NIC has ATS: each strict unmap is TLBI + CMD_SYNC, then ATC_INV + CMD_SYNC (the
            // ATC is invalidated only once the TLB invalidation is complete), in both designs.
            Assert.Equal(200, r.CommandCount(Opcode.CMD_TLBI_NH_VA));
            Assert.Equal(200, r.CommandCount(Opcode.CMD_ATC_INV));
            Assert.Equal(400, r.Syncs);
            Assert.Equal(4.0, r.CommandsPerLoop);
            Assert.Equal(0, r.CmdqCommands);
            Assert.NotNull(r.VcmdqCommands);
            Assert.Equal(2, r.VcmdqCommands.Count(n => n != 0));
            Assert.Equal(r.TotalCommands, r.VcmdqCommands.Sum());
        }
    }

    [Fact]
    public void A_scenario_without_devices_is_refused()
    {
        var scenario = ScenarioParser.Parse(new ScenarioBuilder().Smmu("smmu0", "s1").ToToml(), "empty.toml");
        var e = Assert.Throws<ScenarioStepException>(() => BenchScenarioMachine.Build(scenario, InvalidationDesigns.Create(InvalidationDesigns.Linux)));
        Assert.Equal("empty.toml: the machine has no [[device]] to map for", e.Message);
    }

    [Fact]
    public void A_stage_2_only_SMMU_gets_a_stage_2_DMA_domain()
    {
        var scenario = ScenarioParser.Parse(new ScenarioBuilder().Smmu("smmu0", "s2").Device("gpu", [3]).ToToml(), "s2.toml");
        var (owner, device) = BenchScenarioMachine.Build(scenario, InvalidationDesigns.Create(InvalidationDesigns.Linux));
        using (owner)
        {
            var r = DmaMapBenchmark.Run(owner.Machine, device, new DmaMapBenchmarkOptions { Duration = TimeSpan.FromSeconds(30), MaxLoopsPerThread = 50 });
            Assert.Equal(50, r.CommandCount(Opcode.CMD_TLBI_S2_IPA));
            Assert.Equal(50, r.Syncs);
        }
    }
}
