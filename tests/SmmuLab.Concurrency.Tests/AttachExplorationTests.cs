using SmmuLab.Exploration;
using SmmuLab.TestSupport.Designs;

namespace SmmuLab.Concurrency.Tests;

/// <summary>
/// (a) An attach and a detach against a concurrent unmap and DMA (<see cref="AttachDetachExploration"/>),
/// judged by the stale-translation oracle and by the invariant that an ASID missing from the array
/// is clean in that SMMU's TLB.
/// </summary>
public class AttachExplorationTests
{
    private const uint CiIterations = 150;

    [Fact]
    public void Attach_against_unmap_and_DMA_never_leaves_a_stale_translation() =>
        Exploration.AssertNoBug(SystematicExplorations.AttachAgainstUnmapAndDma, CiIterations);

    [Fact]
    public void Detach_against_unmap_and_DMA_never_leaves_a_stale_translation() =>
        Exploration.AssertNoBug(SystematicExplorations.DetachAgainstUnmapAndDma, CiIterations);

    [Fact]
    public void Negative_control_publish_after_the_STE_install_is_caught() =>
        Exploration.AssertBugFound("negative: publish after install",
            () => AttachDetachExploration.Run(w => new PublishAfterInstall(DesignFactory.Linux(w)), detach: false), "stale");

    [Fact]
    public void Negative_control_unref_before_the_STE_switch_is_caught() =>
        Exploration.AssertBugFound("negative: unref before STE switch",
            () => AttachDetachExploration.Run(w => new UnrefBeforeInstall(DesignFactory.Linux(w)), detach: true), "stale");
}
