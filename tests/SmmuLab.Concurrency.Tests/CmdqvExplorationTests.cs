using SmmuLab.Driver.Cmdq;
using SmmuLab.Exploration;

namespace SmmuLab.Concurrency.Tests;

/// <summary>
/// (e) Tegra241 CMDQV (<see cref="CmdqvExploration"/>): per-CPU VCMDQs of VINTF0 beside the SMMU's
/// CMDQ, CPUs 0 and 2 sharing a VCMDQ.
/// </summary>
public class CmdqvExplorationTests
{
    private const uint CiIterations = 100;

    [Fact]
    public void Per_CPU_VCMDQs_beside_the_CMDQ_consume_every_command_once_on_its_queue() =>
        Exploration.AssertNoBug(SystematicExplorations.Cmdqv, CiIterations);

    [Fact]
    public void Negative_control_a_VCMDQ_owner_publishing_unwritten_slots_is_caught() =>
        Exploration.AssertBugFound("negative: VCMDQ owner publishes unwritten slots", () => CmdqvExploration.Run(CommandQueueFault.PublishUnwritten),
            "consumed", "CMD_SYNC", "Exception");
}
