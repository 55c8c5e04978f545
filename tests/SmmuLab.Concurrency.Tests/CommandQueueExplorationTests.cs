using SmmuLab.Driver.Cmdq;
using SmmuLab.Exploration;

namespace SmmuLab.Concurrency.Tests;

/// <summary>
/// (d) The lock-free command queue (<see cref="CommandQueueExploration"/>): three producers on a
/// 128-entry queue, batches, lone commands, CMD_SYNCs, owner gathering, wrap and full-queue waits.
/// </summary>
public class CommandQueueExplorationTests
{
    private const uint CiIterations = 100;

    [Fact]
    public void Producers_owner_gathering_CMD_SYNC_waiters_wrap_and_full_queue()
    {
        var reach = new CommandQueueReach();
        Exploration.AssertNoBug(SystematicExplorations.CommandQueue.Name, CiIterations, () => CommandQueueExploration.Run(CommandQueueFault.None, reach));

        // The schedules did reach the interesting states: a full queue, an owner gathering others' slots.
        var reached = $"coyote cmdq states reached: {reach}";
        TestContext.Current.TestOutputHelper?.WriteLine(reached);
        Console.Error.WriteLine(reached);
        Assert.True(reach.FullWaits > 0, "no schedule filled the queue");
        Assert.True(reach.Gathered > 0, "no schedule had an owner gather another producer's slots");
    }

    [Fact]
    public void Negative_control_an_owner_publishing_unwritten_slots_is_caught() =>
        Exploration.AssertBugFound("negative: owner publishes unwritten slots", () => CommandQueueExploration.Run(CommandQueueFault.PublishUnwritten),
            "consumed", "CMD_SYNC", "Exception");
}
