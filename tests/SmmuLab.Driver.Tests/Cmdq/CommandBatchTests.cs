using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Driver.Tests.Cmdq;

public sealed class CommandBatchTests
{
    [Fact]
    public void Sixty_four_commands_wait_in_the_batch_and_the_sixty_fifth_issues_them_without_a_sync()
    {
        using var bed = new CommandQueueTestBed(ConsumptionMode.Inline, SyncCompletionMode.Msi, record: true);
        var batch = new CommandBatch(new Command[CommandBatch.Capacity], bed.Queue);
        for (uint i = 0; i < 64; i++)
        {
            batch.Add(Command.CfgiSte(i, leaf: true));
        }

        Assert.Equal((64, 0), (batch.Count, bed.Consumed.Count));

        batch.Add(Command.CfgiSte(64, leaf: true));
        Assert.Equal((1, 64), (batch.Count, bed.Consumed.Count));
        Assert.DoesNotContain(bed.Consumed, c => c.Opcode == Opcode.CMD_SYNC);

        batch.Submit();
        Assert.Equal(0, batch.Count);
        Assert.Equal(66, bed.Consumed.Count);
        Assert.Equal(Opcode.CMD_SYNC, bed.Consumed[65].Opcode);
        Assert.Equal(Enumerable.Range(0, 65).Select(i => (ulong)i), bed.Consumed.Take(65).Select(c => c.Get(CommandLayouts.Sid)));
        Assert.Equal((2L, 65L, 1L), (bed.Queue.Statistics.Batches, bed.Queue.Statistics.CommandsIssued, bed.Queue.Statistics.SyncsIssued));
    }

    [Fact]
    public void With_force_sync_the_sixty_fourth_command_closes_the_first_sixty_three_with_a_sync()
    {
        using var bed = new CommandQueueTestBed(ConsumptionMode.FreeRunning, SyncCompletionMode.Sev, forceSync: true, record: true);
        Assert.True(bed.Queue.ForceSync);
        var batch = new CommandBatch(new Command[CommandBatch.Capacity], bed.Queue);
        for (uint i = 0; i < 63; i++)
        {
            batch.Add(Command.PrefetchConfig(i));
        }

        Assert.Equal((63, 0), (batch.Count, bed.Smmu.Statistics.CommandsConsumed));

        // The forced CMD_SYNC was waited for, so its completion is visible here without polling.
        batch.Add(Command.PrefetchConfig(63));
        Assert.Equal(1, batch.Count);
        Assert.Equal(64, bed.Consumed.Count);
        Assert.Equal(Opcode.CMD_SYNC, bed.Consumed[63].Opcode);

        for (uint i = 64; i < 200; i++)
        {
            batch.Add(Command.PrefetchConfig(i));
        }

        batch.Submit();

        // Never more than 63 commands between two CMD_SYNCs.
        var run = 0;
        foreach (var c in bed.Consumed)
        {
            run = c.Opcode == Opcode.CMD_SYNC ? 0 : run + 1;
            Assert.True(run <= 63);
        }

        Assert.Equal(200, bed.Smmu.Statistics.Commands(Opcode.CMD_PREFETCH_CONFIG));
        Assert.Equal(4, bed.Smmu.Statistics.Commands(Opcode.CMD_SYNC));
    }

    [Fact]
    public void A_command_the_queue_refuses_flushes_the_batch_with_a_sync_and_moves_it_to_the_queue_chosen_for_that_command()
    {
        // A secondary queue that, like a guest-owned Tegra241 VCMDQ, takes only TLBI_NH_ASID,
        // TLBI_NH_VA and ATC_INV; the main queue takes everything.
        using var secondary = new CommandQueueTestBed(ConsumptionMode.Inline, SyncCompletionMode.Poll, record: true,
            supports: c => c.Opcode is Opcode.CMD_TLBI_NH_ASID or Opcode.CMD_TLBI_NH_VA or Opcode.CMD_ATC_INV);
        using var main = new CommandQueueTestBed(ConsumptionMode.Inline, SyncCompletionMode.Poll, record: true);
        Func<Command, CommandQueue> queueFor = c => secondary.Queue.Supports(c) ? secondary.Queue : main.Queue;

        var batch = new CommandBatch(new Command[CommandBatch.Capacity], queueFor, Command.TlbiNhAsid(1, 1));
        Assert.Same(secondary.Queue, batch.Queue);
        batch.Add(Command.TlbiNhAsid(1, 1));
        batch.Add(Command.TlbiNhAsid(1, 2));
        Assert.Empty(secondary.Consumed);

        batch.Add(Command.CfgiSte(5, leaf: true));
        Assert.Same(main.Queue, batch.Queue);
        Assert.Equal([Opcode.CMD_TLBI_NH_ASID, Opcode.CMD_TLBI_NH_ASID, Opcode.CMD_SYNC], secondary.Consumed.Select(c => c.Opcode));

        // The main queue supports everything, so the batch stays there.
        batch.Add(Command.TlbiNhAsid(1, 3));
        batch.Submit();
        Assert.Equal([Opcode.CMD_CFGI_STE, Opcode.CMD_TLBI_NH_ASID, Opcode.CMD_SYNC], main.Consumed.Select(c => c.Opcode));
    }

    [Fact]
    public void An_empty_batch_can_be_retargeted_in_place_and_a_non_empty_one_cannot()
    {
        using var first = new CommandQueueTestBed(ConsumptionMode.Inline, SyncCompletionMode.Poll, record: true);
        using var second = new CommandQueueTestBed(ConsumptionMode.Inline, SyncCompletionMode.Poll, record: true);
        var batch = new CommandBatch(new Command[CommandBatch.Capacity], _ => first.Queue, Command.TlbiNhAsid(0, 1));
        batch.Add(Command.TlbiNhAsid(0, 1));
        var refused = false;
        try
        {
            batch.Retarget(_ => second.Queue, Command.TlbiNhAsid(0, 2));
        }
        catch (InvalidOperationException)
        {
            refused = true;
        }

        Assert.True(refused, "a batch holding a command moved to another queue");
        Assert.Same(first.Queue, batch.Queue);
        batch.Submit();

        batch.Retarget(_ => second.Queue, Command.TlbiNhAsid(0, 2));
        Assert.Same(second.Queue, batch.Queue);
        batch.Add(Command.TlbiNhAsid(0, 2));
        batch.Submit();
        Assert.Equal([Opcode.CMD_TLBI_NH_ASID, Opcode.CMD_SYNC], first.Consumed.Select(c => c.Opcode));
        Assert.Equal([Opcode.CMD_TLBI_NH_ASID, Opcode.CMD_SYNC], second.Consumed.Select(c => c.Opcode));
    }

    [Fact]
    public void Submitting_an_empty_batch_issues_a_lone_sync()
    {
        using var bed = new CommandQueueTestBed(ConsumptionMode.Inline, SyncCompletionMode.Msi, record: true);
        var batch = new CommandBatch(new Command[CommandBatch.Capacity], bed.Queue);
        batch.Submit();
        Assert.Equal([Opcode.CMD_SYNC], bed.Consumed.Select(c => c.Opcode));
    }

    [Fact]
    public void Batches_and_issue_do_not_allocate_in_steady_state()
    {
        using var bed = new CommandQueueTestBed(ConsumptionMode.FreeRunning, SyncCompletionMode.Msi);
        Run(bed.Queue); // warm up: JIT, thread statics, memory pages
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(bed.Queue);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        // What was issued: 2 x 50 batches of 100 TLBIs, each batch ending in a CMD_SYNC.
        Assert.Equal(10_000, bed.Smmu.Statistics.Commands(Opcode.CMD_TLBI_NH_ASID));
        Assert.True(bed.Smmu.Statistics.Commands(Opcode.CMD_SYNC) >= 100);

        static void Run(CommandQueue queue)
        {
            Span<Command> storage = stackalloc Command[CommandBatch.Capacity];
            for (var round = 0; round < 50; round++)
            {
                var batch = new CommandBatch(storage, queue);
                for (uint i = 0; i < 100; i++)
                {
                    batch.Add(Command.TlbiNhAsid(1, (ushort)i));
                }

                batch.Submit();
            }
        }
    }

    [Fact]
    public void A_batch_refuses_storage_smaller_than_its_capacity_and_uses_only_capacity_of_a_larger_one()
    {
        using var bed = new CommandQueueTestBed(ConsumptionMode.Inline, SyncCompletionMode.Msi, record: true);
        var small = new Command[CommandBatch.Capacity - 1];
        var e = Assert.Throws<ArgumentException>(() => new CommandBatch(small, bed.Queue));
        Assert.Contains("64", e.Message, StringComparison.Ordinal);

        // With room for twice the capacity, the 65th command still issues the first 64 (no CMD_SYNC).
        var large = new Command[2 * CommandBatch.Capacity];
        var batch = new CommandBatch(large, bed.Queue);
        for (uint i = 0; i <= CommandBatch.Capacity; i++)
        {
            batch.Add(Command.CfgiSte(i, leaf: true));
        }

        Assert.Equal((1, CommandBatch.Capacity), (batch.Count, bed.Consumed.Count));
        Assert.Equal(Command.CfgiSte(CommandBatch.Capacity, leaf: true), large[0]);
    }
}
