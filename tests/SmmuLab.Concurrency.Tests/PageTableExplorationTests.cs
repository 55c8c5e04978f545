using SmmuLab.Driver.PageTables;
using SmmuLab.Exploration;

namespace SmmuLab.Concurrency.Tests;

/// <summary>
/// (f) The lock-free one-page map and unmap (<see cref="PageTableExploration"/>): two CPUs on
/// neighbouring pages, a racing double map, lock-free lookups, and the locked path removing and
/// creating tables next door.
/// </summary>
public class PageTableExplorationTests
{
    private const uint CiIterations = 100;

    [Fact]
    public void One_page_map_and_unmap_without_the_lock_beside_table_changes()
    {
        Exploration.AssertNoBug(SystematicExplorations.PageTables.Name, CiIterations, () => PageTableExploration.Run(IoPageTableFault.None));
    }

    [Fact]
    public void Negative_control_a_map_that_checks_then_stores_lets_two_maps_of_one_IOVA_win() =>
        Exploration.AssertBugFound("negative: unchecked leaf write", () => PageTableExploration.Run(IoPageTableFault.UncheckedLeafWrite),
            "racing maps of one IOVA", "contested page");
}
