using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Driver.Platform;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Smmu;
using SmmuLab.TestSupport.Memory;

namespace SmmuLab.Driver.Tests.Cmdq;

public sealed class CommandQueueIssueTests
{
    public static TheoryData<ConsumptionMode, SyncCompletionMode> AllModes => new()
    {
        { ConsumptionMode.Inline, SyncCompletionMode.Msi },
        { ConsumptionMode.Inline, SyncCompletionMode.Sev },
        { ConsumptionMode.Inline, SyncCompletionMode.Poll },
        { ConsumptionMode.FreeRunning, SyncCompletionMode.Msi },
        { ConsumptionMode.FreeRunning, SyncCompletionMode.Sev },
        { ConsumptionMode.FreeRunning, SyncCompletionMode.Poll },
    };

    [Theory]
    [MemberData(nameof(AllModes))]
    public void A_list_with_sync_returns_after_the_SMMU_consumed_it_in_order(ConsumptionMode mode, SyncCompletionMode completion)
    {
        using var bed = new CommandQueueTestBed(mode, completion, record: true);
        Command[] cmds = [Command.PrefetchConfig(1), Command.CfgiSte(2, leaf: true), Command.TlbiNhAsid(3, 4)];

        bed.Queue.IssueCommands(cmds, sync: true);

        // Completion of the CMD_SYNC means everything before it was consumed: no waiting needed here.
        Assert.Equal(4, bed.Consumed.Count);
        Assert.Equal(cmds, bed.Consumed[..3]);
        var sync = bed.Consumed[3];
        Assert.Equal(Opcode.CMD_SYNC, sync.Opcode);
        var expectedCs = completion switch
        {
            SyncCompletionMode.Msi => SyncCompletion.SIG_IRQ,
            SyncCompletionMode.Sev => SyncCompletion.SIG_SEV,
            _ => SyncCompletion.SIG_NONE,
        };
        Assert.Equal((ulong)expectedCs, sync.Get(CommandLayouts.Cs));
        Assert.Equal((4u, 4u), (bed.HardwareProd, bed.HardwareCons));
        Assert.Equal((4u, 0), (bed.Queue.SoftwareProd, bed.Queue.Lock.Value));
        Assert.False(bed.Queue.IsOwned);
        Assert.Equal((3L, 1L, 1L), (bed.Queue.Statistics.CommandsIssued, bed.Queue.Statistics.SyncsIssued, bed.Queue.Statistics.OwnerElections));
    }

    [Theory]
    [InlineData(ConsumptionMode.Inline)]
    [InlineData(ConsumptionMode.FreeRunning)]
    public void MSI_polling_targets_the_syncs_own_slot_and_completion_zeroes_its_first_word(ConsumptionMode mode)
    {
        using var bed = new CommandQueueTestBed(mode, SyncCompletionMode.Msi, record: true);
        bed.Queue.IssueCommands([Command.PrefetchConfig(1), Command.PrefetchConfig(2)], sync: true);

        var sync = bed.Consumed[2];
        Assert.Equal(bed.Queue.SlotAddress(2), CommandLayouts.MsiAddr.GetAddress(sync.Dw1));
        Assert.Equal(0UL, sync.Get(CommandLayouts.MsiData));
        Assert.Equal(0u, bed.Memory.Read32(bed.Queue.SlotAddress(2)));
        Assert.Equal(sync.Dw1, bed.Queue.ReadSlot(2).Dw1);
    }

    [Fact]
    public void Sev_completion_signals_the_platform_event()
    {
        using var bed = new CommandQueueTestBed(ConsumptionMode.FreeRunning, SyncCompletionMode.Sev);
        var before = bed.Events.EventsSent;
        bed.Queue.Sync();
        Assert.Equal(before + 1, bed.Events.EventsSent);
    }

    [Fact]
    public void Commands_without_sync_are_published_to_CMDQ_PROD_before_the_call_returns()
    {
        using var bed = new CommandQueueTestBed(ConsumptionMode.FreeRunning, SyncCompletionMode.Msi);
        bed.Queue.IssueCommands([Command.PrefetchConfig(1), Command.PrefetchConfig(2), Command.PrefetchConfig(3)], sync: false);
        Assert.Equal(3u, bed.HardwareProd);
        bed.Queue.IssueCommand(Command.PrefetchConfig(4));
        Assert.Equal(4u, bed.HardwareProd);
        bed.Queue.IssueCommandWithSync(Command.PrefetchConfig(5));
        Assert.Equal((6u, 6u), (bed.HardwareProd, bed.HardwareCons));
        Assert.Equal(5, bed.Smmu.Statistics.Commands(Opcode.CMD_PREFETCH_CONFIG));
    }

    [Theory]
    [InlineData(ConsumptionMode.Inline, SyncCompletionMode.Msi)]
    [InlineData(ConsumptionMode.FreeRunning, SyncCompletionMode.Msi)]
    [InlineData(ConsumptionMode.FreeRunning, SyncCompletionMode.Sev)]
    [InlineData(ConsumptionMode.Inline, SyncCompletionMode.Poll)]
    public void A_128_entry_queue_wraps_hundreds_of_times_and_consumes_every_command_once_in_order(ConsumptionMode mode, SyncCompletionMode completion)
    {
        using var bed = new CommandQueueTestBed(mode, completion, log2Entries: 7, record: true);
        var rng = new Random(7);
        var list = new Command[128];
        uint next = 0;
        var syncs = 0;
        const int Total = 40_000;
        while (next < Total)
        {
            // Lists of every length up to the whole queue, sometimes exactly filling it with their CMD_SYNC.
            var sync = rng.Next(3) == 0;
            var len = (int)Math.Min(Total - next, (uint)rng.Next(1, sync ? 128 : 129));
            for (var i = 0; i < len; i++)
            {
                list[i] = Command.PrefetchConfig(next++);
            }

            bed.Queue.IssueCommands(list.AsSpan(0, len), sync);
            syncs += sync ? 1 : 0;
        }

        bed.Queue.Sync();
        var expected = 0u;
        foreach (var c in bed.Consumed)
        {
            if (c.Opcode == Opcode.CMD_PREFETCH_CONFIG)
            {
                Assert.Equal(expected++, (uint)c.Get(CommandLayouts.Sid));
            }
        }

        Assert.Equal(Total, (int)expected);
        Assert.Equal(syncs + 1, bed.Consumed.Count(c => c.Opcode == Opcode.CMD_SYNC));
        var entries = (uint)(Total + syncs + 1);
        Assert.True(entries / 128 > 300, $"only {entries / 128} laps");

        // Pointers carry the wrap bit: index and wrap of the total number of entries.
        var expectedPointer = entries & QueuePointer.WrapIndexMask(7);
        Assert.Equal((expectedPointer, expectedPointer, expectedPointer), (bed.HardwareProd, bed.HardwareCons, bed.Queue.SoftwareProd));
        Assert.Equal(0, bed.Queue.Lock.Value);
    }

    [Fact]
    public void A_queue_is_naturally_aligned_and_its_base_register_has_RA_address_and_size()
    {
        var allocator = new TestDmaAllocator(start: 0x1000_0100);
        var memory = new SparsePhysicalMemory();
        using var smmu = new SmmuDevice(new SmmuDeviceOptions(), memory);
        using var q = new CommandQueue(new DriverPlatform(smmu, memory, allocator), new CommandQueueOptions { Log2Entries = 10 });

        Assert.Equal(0UL, q.BaseAddress % (16 * 1024));
        Assert.Equal((1024u, 10), (q.Entries, q.Log2Entries));
        var reg = q.BaseRegisterValue;
        Assert.Equal((1UL, q.BaseAddress, 10UL), (QueueBase.RWA.Get(reg), QueueBase.ADDR.GetAddress(reg), QueueBase.LOG2SIZE.Get(reg)));
    }

    [Fact]
    public void A_refused_allocation_halves_the_queue_but_never_below_128_entries()
    {
        var memory = new SparsePhysicalMemory();
        using var smmu = new SmmuDevice(new SmmuDeviceOptions(), memory);
        var allocator = new TestDmaAllocator(refuseAbove: 4096);
        using var q = new CommandQueue(new DriverPlatform(smmu, memory, allocator), new CommandQueueOptions { Log2Entries = 12 });
        Assert.Equal(8, q.Log2Entries);
        Assert.Equal([65536UL, 32768, 16384, 8192, 4096], allocator.Requests);

        var stingy = new TestDmaAllocator(refuseAbove: 1024);
        Assert.Throws<DmaAllocationException>(() => new CommandQueue(new DriverPlatform(smmu, memory, stingy), new CommandQueueOptions { Log2Entries = 9 }));
        Assert.Equal([8192UL, 4096, 2048], stingy.Requests);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(20)]
    public void Queue_sizes_outside_128_to_2_pow_19_entries_are_rejected(int log2)
    {
        var memory = new SparsePhysicalMemory();
        using var smmu = new SmmuDevice(new SmmuDeviceOptions(), memory);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CommandQueue(new DriverPlatform(smmu, memory, new TestDmaAllocator()), new CommandQueueOptions { Log2Entries = log2 }));
    }

    [Theory]
    [InlineData(true, true, true, false, SyncCompletionMode.Msi)]
    [InlineData(true, false, true, false, SyncCompletionMode.Sev)]
    [InlineData(true, true, true, true, SyncCompletionMode.Sev)]
    [InlineData(false, true, true, false, SyncCompletionMode.Sev)]
    [InlineData(false, true, false, false, SyncCompletionMode.Poll)]
    public void The_probe_picks_MSI_when_coherent_then_SEV_then_polling(bool msi, bool coherent, bool sev, bool disableMsi, SyncCompletionMode expected)
    {
        var features = new SmmuFeatures { Msi = msi, CoherentAccess = coherent, Sev = sev };
        Assert.Equal(expected, CommandQueueOptions.CompletionFor(features.Idr0Value, disableMsi));
    }

    [Fact]
    public void A_list_that_can_never_fit_is_rejected_instead_of_waiting_forever()
    {
        using var bed = new CommandQueueTestBed(ConsumptionMode.Inline, SyncCompletionMode.Poll, log2Entries: 7);
        var list = new Command[128];
        Array.Fill(list, Command.PrefetchConfig(1));
        bed.Queue.IssueCommands(list, sync: false);
        Assert.Throws<ArgumentException>(() => bed.Queue.IssueCommands(list, sync: true));
        Assert.Equal(0L, bed.Queue.Statistics.Timeouts);
    }
}
