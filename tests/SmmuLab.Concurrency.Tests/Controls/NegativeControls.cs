using SmmuLab.Driver.Cmdqv;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.TestSupport.Designs;

namespace SmmuLab.Concurrency.Tests.Controls;

/// <summary>
/// Every negative control of the suite, each with the check that catches it. The deterministic
/// checks are in <see cref="InvalidationChecks"/> and <see cref="PlatformChecks"/>; the orders and
/// readers that only a schedule can break are caught by the Coyote explorations' negative tests.
/// <see cref="NegativeControlTests"/> runs every entry, and fails if a broken variant of
/// <c>TestSupport/Designs</c> or a driver fault switch is missing here.
/// </summary>
public static class NegativeControls
{
    public static IReadOnlyList<NegativeControl> All { get; } =
    [
        new(nameof(TlbOnlyInvalidation), "no ATC_INV", nameof(InvalidationChecks.Unmapped_page_faults_for_ATS_and_plain_masters),
            () => MustFail(() => InvalidationChecks.Unmapped_page_faults_for_ATS_and_plain_masters(new TlbOnlyInvalidation()))),
        new(nameof(AtcInvalidationWithoutSync), "no CMD_SYNC between the TLBIs and the ATC_INVs", nameof(InvalidationChecks.TLBIs_complete_before_the_ATC_INVs),
            () => MustFail(() => InvalidationChecks.TLBIs_complete_before_the_ATC_INVs(new AtcInvalidationWithoutSync(new LinuxInvalidation())))),
        new(nameof(WrongTagInvalidation), "wrong ASID", nameof(InvalidationChecks.Unmapped_page_faults_for_ATS_and_plain_masters),
            () => MustFail(() => InvalidationChecks.Unmapped_page_faults_for_ATS_and_plain_masters(new WrongTagInvalidation(new LinuxInvalidation())))),
        new(nameof(LeafOnlyInvalidation), "LEAF=1 after a table was freed", nameof(InvalidationChecks.Freed_table_is_not_walked_again),
            () => MustFail(() => InvalidationChecks.Freed_table_is_not_walked_again(new LeafOnlyInvalidation(new LinuxInvalidation())))),
        new(nameof(UnrefBeforeInstall), "unref before the STE switch", nameof(AttachExplorationTests.Negative_control_unref_before_the_STE_switch_is_caught),
            () => new AttachExplorationTests().Negative_control_unref_before_the_STE_switch_is_caught()),
        new(nameof(PublishAfterInstall), "publish after the STE install", nameof(AttachExplorationTests.Negative_control_publish_after_the_STE_install_is_caught),
            () => new AttachExplorationTests().Negative_control_publish_after_the_STE_install_is_caught()),
        new(nameof(UnfencedAtcInvalidation), "ATS disabled while ATC_INVs are in flight", nameof(AtsExplorationTests.Negative_control_ATS_disabled_while_ATC_INVs_are_in_flight_is_caught),
            () => new AtsExplorationTests().Negative_control_ATS_disabled_while_ATC_INVs_are_in_flight_is_caught()),
        new(nameof(NoLastDetachFlush), "no last-detach flush", nameof(InvalidationChecks.Page_unmapped_while_detached_faults_after_reattach),
            () => MustFail(() => InvalidationChecks.Page_unmapped_while_detached_faults_after_reattach(new NoLastDetachFlush()))),
        new(nameof(ContinueInRangeLoop), "the seed's continue in the range loop", nameof(InvalidationChecks.Too_big_nesting_parent_invalidation_visits_each_entry_once),
            () => MustFail(() => InvalidationChecks.Too_big_nesting_parent_invalidation_visits_each_entry_once(
                w => new ContinueInRangeLoop(new LinuxInvalidation(new InvalidationArrayAllocator(w)))))),
        new(nameof(CmdqvDriverOptions.BuggyInitOrder), "the CMDQV guest filter chosen before HYP_OWN is final", nameof(PlatformChecks.Host_VCMDQs_take_every_command),
            () => MustFail(() => PlatformChecks.Host_VCMDQs_take_every_command(new CmdqvDriverOptions { BuggyInitOrder = true }))),
        new(nameof(SkipLeafInvalidation), "no invalidation on unmap", nameof(InvalidationChecks.Unmapped_page_faults_for_ATS_and_plain_masters),
            () => MustFail(() => InvalidationChecks.Unmapped_page_faults_for_ATS_and_plain_masters(new SkipLeafInvalidation()))),
        new(nameof(TrashEndsWalk), "a reader stopping at trash", nameof(AtsExplorationTests.Negative_control_a_reader_stopping_at_trash_is_caught),
            () => new AtsExplorationTests().Negative_control_a_reader_stopping_at_trash_is_caught()),
        new(nameof(SkipGuestTlbi), "a guest kernel that drops its TLBIs", nameof(PlatformChecks.Guest_unmap_reaches_the_TLB),
            () => MustFail(() => PlatformChecks.Guest_unmap_reaches_the_TLB(q => new SkipGuestTlbi(q)))),
        new("CommandQueueFault.PublishUnwritten (CMDQ)", "the queue owner publishing unwritten slots", nameof(CommandQueueExplorationTests.Negative_control_an_owner_publishing_unwritten_slots_is_caught),
            () => new CommandQueueExplorationTests().Negative_control_an_owner_publishing_unwritten_slots_is_caught()),
        new("CommandQueueFault.PublishUnwritten (VCMDQ)", "a VCMDQ owner publishing unwritten slots", nameof(CmdqvExplorationTests.Negative_control_a_VCMDQ_owner_publishing_unwritten_slots_is_caught),
            () => new CmdqvExplorationTests().Negative_control_a_VCMDQ_owner_publishing_unwritten_slots_is_caught()),
        new("IoPageTableFault.UncheckedLeafWrite", "a lock-free map that checks its slot, then stores the leaf", nameof(PageTableExplorationTests.Negative_control_a_map_that_checks_then_stores_lets_two_maps_of_one_IOVA_win),
            () => new PageTableExplorationTests().Negative_control_a_map_that_checks_then_stores_lets_two_maps_of_one_IOVA_win()),
    ];

    /// <summary>The correct designs and driver: every deterministic check must pass for them.</summary>
    public static IReadOnlyList<(string Name, Action Check)> Passing { get; } =
    [
        ("no ATC_INV missing: linux", () => InvalidationChecks.Unmapped_page_faults_for_ATS_and_plain_masters(new LinuxInvalidation())),
        ("no ATC_INV missing: legacy", () => InvalidationChecks.Unmapped_page_faults_for_ATS_and_plain_masters(new LegacyInvalidation())),
        ("CMD_SYNC before ATC_INV: linux", () => InvalidationChecks.TLBIs_complete_before_the_ATC_INVs(new LinuxInvalidation())),
        ("CMD_SYNC before ATC_INV: legacy", () => InvalidationChecks.TLBIs_complete_before_the_ATC_INVs(new LegacyInvalidation())),
        ("freed table: linux", () => InvalidationChecks.Freed_table_is_not_walked_again(new LinuxInvalidation())),
        ("freed table: legacy", () => InvalidationChecks.Freed_table_is_not_walked_again(new LegacyInvalidation())),
        ("last-detach flush: linux", () => InvalidationChecks.Page_unmapped_while_detached_faults_after_reattach(new LinuxInvalidation())),
        ("last-detach flush: legacy", () => InvalidationChecks.Page_unmapped_while_detached_faults_after_reattach(new LegacyInvalidation())),
        ("range loop advances: linux", () => InvalidationChecks.Too_big_nesting_parent_invalidation_visits_each_entry_once(
            w => new LinuxInvalidation(new InvalidationArrayAllocator(w)))),
        ("host VCMDQs", () => PlatformChecks.Host_VCMDQs_take_every_command(new CmdqvDriverOptions())),
        ("guest TLBIs", () => PlatformChecks.Guest_unmap_reaches_the_TLB(q => q)),
    ];

    /// <summary>Runs a check that must fail: returns if it failed by an assertion, else fails.</summary>
    private static void MustFail(Action check)
    {
        var failure = Record.Exception(check);
        Assert.True(failure is not null, "the check passed: the defect was missed");
        Assert.True(failure is Xunit.Sdk.IAssertionException, $"the check failed other than by an assertion: {failure}");
        var first = failure.Message.Split('\n')[0];
        TestContext.Current.TestOutputHelper?.WriteLine($"caught: {first}");
        Console.Error.WriteLine($"negative control caught: {first}");
    }
}
