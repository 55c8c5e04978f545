using SmmuLab.Exploration;
using SmmuLab.TestSupport.Designs;

namespace SmmuLab.Concurrency.Tests;

/// <summary>
/// (b) unref against a reader in the middle of the array, and (c) switching ATS off against an
/// ATC_INV in flight (<see cref="AtsExploration"/>).
/// </summary>
public class AtsExplorationTests
{
    private const uint CiIterations = 150;

    [Fact]
    public void Unref_against_a_reader_in_the_middle_skips_trash_and_keeps_later_entries() =>
        Exploration.AssertNoBug(SystematicExplorations.UnrefAgainstReader, CiIterations);

    [Fact]
    public void ATS_disable_returns_only_after_in_flight_ATC_INVs_completed() =>
        Exploration.AssertNoBug(SystematicExplorations.AtsDisableAgainstAtcInv, CiIterations);

    [Fact]
    public void Negative_control_a_reader_stopping_at_trash_is_caught() =>
        Exploration.AssertBugFound("negative: reader stops at trash",
            () => AtsExploration.Run(w => new TrashEndsWalk(DesignFactory.Linux(w)), reattach: true), "lost b");

    [Fact]
    public void Negative_control_ATS_disabled_while_ATC_INVs_are_in_flight_is_caught() =>
        Exploration.AssertBugFound("negative: ATC_INV outlives the detach",
            () => AtsExploration.Run(w => new UnfencedAtcInvalidation(DesignFactory.Linux(w)), reattach: false), "after its detach");
}
