using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Driver.Tests.Cmdq;

/// <summary>Waiting for queue space when the cached CONS is stale and nobody else will refresh it.</summary>
public sealed class CommandQueueSpaceTests
{
    [Fact]
    public void A_producer_waiting_for_space_refreshes_CONS_itself_once_the_last_CMD_SYNC_waiter_has_gone()
    {
        // The last CMD_SYNC waiter out stores the CONS it saw, which can be older than another
        // waiter's; after it nobody may refresh again. A producer that found the lock held (so
        // could not refresh) and only watched the cached word would wait out its whole time-out
        // with the SMMU idle (PROD == CONS): the check failure "timed out waiting for queue space".
        using var bed = new CommandQueueTestBed(ConsumptionMode.Inline, SyncCompletionMode.Msi, log2Entries: CommandQueueOptions.MinLog2Entries, timeout: TimeSpan.FromSeconds(2));
        var entries = 1 << CommandQueueOptions.MinLog2Entries;
        for (var i = 0; i < entries; i++)
        {
            bed.Queue.IssueCommand(Command.PrefetchConfig((uint)i));
        }

        Assert.Equal(bed.HardwareProd, bed.HardwareCons); // the SMMU has consumed everything
        bed.Queue.Lock.SharedLock(); // a CMD_SYNC waiter
        Exception? failure = null;
        var producer = new Thread(() =>
        {
            try
            {
                bed.Queue.IssueCommand(Command.PrefetchConfig(0x7F));
            }
            catch (CommandQueueTimeoutException e)
            {
                failure = e;
            }
        })
        { IsBackground = true };
        producer.Start();
        Assert.False(producer.Join(TimeSpan.FromMilliseconds(100))); // it must wait while the waiter holds the lock
        bed.Queue.Lock.SharedUnlock(); // the waiter leaves without a newer CONS

        Assert.True(producer.Join(TimeSpan.FromSeconds(10)), "the producer still waits with the SMMU idle");
        Assert.Null(failure);
        Assert.Equal(bed.HardwareProd, bed.HardwareCons);
    }
}
