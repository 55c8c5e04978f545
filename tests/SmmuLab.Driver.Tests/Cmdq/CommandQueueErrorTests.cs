using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Driver.Platform;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;
using SmmuLab.TestSupport.Memory;

namespace SmmuLab.Driver.Tests.Cmdq;

public sealed class CommandQueueErrorTests
{
    public static TheoryData<ConsumptionMode, SyncCompletionMode, bool> IllegalCases
    {
        get
        {
            var data = new TheoryData<ConsumptionMode, SyncCompletionMode, bool>();
            foreach (var mode in new[] { ConsumptionMode.Inline, ConsumptionMode.FreeRunning })
            {
                foreach (var completion in new[] { SyncCompletionMode.Msi, SyncCompletionMode.Sev, SyncCompletionMode.Poll })
                {
                    data.Add(mode, completion, false);
                }
            }

            data.Add(ConsumptionMode.Inline, SyncCompletionMode.Msi, true);
            data.Add(ConsumptionMode.FreeRunning, SyncCompletionMode.Sev, true);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(IllegalCases))]
    public void An_illegal_command_is_replaced_by_a_sync_from_the_GERROR_handler_and_the_queue_carries_on(
        ConsumptionMode mode, SyncCompletionMode completion, bool reservedBit)
    {
        using var bed = new CommandQueueTestBed(mode, completion, record: true);
        var errors = new List<CommandQueueError>();
        bed.Queue.CommandErrorHandled += (_, e) => errors.Add(e);

        // Opcode 0xFF is undefined; PREFETCH_CONFIG has no field in dword 1, so bit 64 is reserved.
        var illegal = reservedBit ? Command.PrefetchConfig(2) with { Dw1 = 1 } : new Command(0xFF, 0);
        bed.Queue.IssueCommands([Command.PrefetchConfig(1), illegal, Command.PrefetchConfig(3)], sync: true);

        // The SMMU stopped on slot 1; the handler put a CMD_SYNC there; consumption resumed after the ack.
        Assert.Equal(
            [Opcode.CMD_PREFETCH_CONFIG, Opcode.CMD_SYNC, Opcode.CMD_PREFETCH_CONFIG, Opcode.CMD_SYNC],
            bed.Consumed.Select(c => c.Opcode));
        var replacement = bed.Consumed[1];
        Assert.Equal(bed.Consumed[3].Get(CommandLayouts.Cs), replacement.Get(CommandLayouts.Cs));
        if (completion == SyncCompletionMode.Msi)
        {
            Assert.Equal(bed.Queue.SlotAddress(1), CommandLayouts.MsiAddr.GetAddress(replacement.Dw1));
        }

        var error = Assert.Single(errors);
        Assert.Equal((CommandError.CERROR_ILL, 1u, illegal, true), (error.Error, error.Cons & 0xFF, error.Command, error.Replaced));
        Assert.Equal(1L, bed.Queue.Statistics.IllegalCommands);
        Assert.Equal(1L, bed.GlobalErrors.Count(GError.CMDQ_ERR));
        Assert.Equal(bed.Smmu.Read32(SmmuRegister.GERROR), bed.Smmu.Read32(SmmuRegister.GERRORN));

        // Later commands are still consumed.
        bed.Queue.IssueCommands([Command.PrefetchConfig(4), Command.PrefetchConfig(5)], sync: true);
        Assert.Equal(7, bed.Consumed.Count);
        Assert.Equal((7u, 7u), (bed.HardwareProd, bed.HardwareCons));
        Assert.Equal(0, bed.Queue.Lock.Value);
    }

    [Theory]
    [InlineData(ConsumptionMode.Inline, SyncCompletionMode.Msi)]
    [InlineData(ConsumptionMode.FreeRunning, SyncCompletionMode.Sev)]
    [InlineData(ConsumptionMode.FreeRunning, SyncCompletionMode.Poll)]
    public void An_ATC_invalidation_the_endpoint_never_completes_fails_the_sync_once_and_the_retried_sync_completes(
        ConsumptionMode mode, SyncCompletionMode completion)
    {
        using var bed = new CommandQueueTestBed(mode, completion, record: true);
        var endpoint = new Endpoint("mute", [0x42], bed.Memory, new EndpointOptions { AtsCapable = true, RespondsToInvalidation = false });
        bed.Smmu.Connect(endpoint);
        var errors = new List<CommandQueueError>();
        bed.Queue.CommandErrorHandled += (_, e) => errors.Add(e);

        var atcInv = Command.AtcInv(0x42, 0, ssv: false, 0, CommandLayouts.AtcInvSizeAll);
        bed.Queue.IssueCommandWithSync(atcInv);

        // Nothing was rewritten: the CMD_SYNC that reported the timeout is consumed on its retry.
        var error = Assert.Single(errors);
        Assert.Equal((CommandError.CERROR_ATC_INV_SYNC, 1u, false), (error.Error, error.Cons & 0xFF, error.Replaced));
        Assert.Equal(Opcode.CMD_SYNC, error.Command.Opcode);
        Assert.Equal([Opcode.CMD_ATC_INV, Opcode.CMD_SYNC], bed.Consumed.Select(c => c.Opcode));
        Assert.Equal(1L, endpoint.AtcInvalidationsReceived);
        Assert.Equal(1L, bed.Queue.Statistics.AtcInvalidationTimeouts);

        bed.Queue.IssueCommandWithSync(Command.PrefetchConfig(1));
        Assert.Equal(4, bed.Consumed.Count);
    }

    [Fact]
    public void A_fetch_abort_leaves_the_slot_alone_so_the_fetch_is_retried()
    {
        var memory = new SparsePhysicalMemory();
        var mmio = new FakeMmio { Cons = 3 | (uint)QueuePointer.ERR.Make((ulong)CommandError.CERROR_ABT) };
        using var q = new CommandQueue(new DriverPlatform(mmio, memory, new TestDmaAllocator()), new CommandQueueOptions { Log2Entries = 8 });
        var original = Command.CfgiSte(7, leaf: true);
        memory.Write64(q.SlotAddress(3), original.Dw0);
        memory.Write64(q.SlotAddress(3) + 8, original.Dw1);

        Assert.Equal(CommandError.CERROR_ABT, q.HandleCommandError());
        Assert.Equal(original, q.ReadSlot(3));
        Assert.Equal(1L, q.Statistics.FetchAborts);

        mmio.Cons = 3;
        Assert.Equal(CommandError.CERROR_NONE, q.HandleCommandError());
    }

    [Fact]
    public void The_GERROR_handler_ignores_an_interrupt_with_no_active_error()
    {
        using var bed = new CommandQueueTestBed(ConsumptionMode.Inline, SyncCompletionMode.Poll);
        Assert.False(bed.GlobalErrors.HandleInterrupt());
        Assert.Equal((1L, 0L), (bed.GlobalErrors.Spurious, bed.GlobalErrors.Interrupts));
    }

    [Theory]
    [InlineData(ConsumptionMode.Inline, SyncCompletionMode.Msi)]
    [InlineData(ConsumptionMode.Inline, SyncCompletionMode.Sev)]
    [InlineData(ConsumptionMode.FreeRunning, SyncCompletionMode.Poll)]
    public void A_sync_the_SMMU_never_consumes_times_out_with_the_hardware_pointers_and_the_queue_recovers_once_enabled(
        ConsumptionMode mode, SyncCompletionMode completion)
    {
        using var bed = new CommandQueueTestBed(mode, completion, timeout: TimeSpan.FromMilliseconds(100), enable: false);
        bed.Smmu.Write64(SmmuRegister.CMDQ_BASE, bed.Queue.BaseRegisterValue);

        // CMDQEN is off: PROD is written but nothing is consumed.
        var e = Assert.Throws<CommandQueueTimeoutException>(() =>
            bed.Queue.IssueCommands([Command.PrefetchConfig(1), Command.PrefetchConfig(2)], sync: true));
        Assert.Equal(("CMD_SYNC", 2u, 3u, 0u), (e.WaitingFor, e.Position, e.HardwareProd, e.HardwareCons));
        Assert.Contains("PROD 0x3, CONS 0x0", e.Message);
        Assert.Equal(0, bed.Queue.Lock.Value);
        Assert.Equal(1L, bed.Queue.Statistics.Timeouts);

        bed.EnableQueue();
        bed.Queue.Sync();
        Assert.Equal((4u, 4u), (bed.HardwareProd, bed.HardwareCons));
    }

    [Fact]
    public void A_full_queue_the_SMMU_never_drains_times_out_waiting_for_space()
    {
        using var bed = new CommandQueueTestBed(ConsumptionMode.Inline, SyncCompletionMode.Poll, log2Entries: 7, timeout: TimeSpan.FromMilliseconds(100), enable: false);
        var list = new Command[128];
        Array.Fill(list, Command.PrefetchConfig(9));
        bed.Queue.IssueCommands(list, sync: false);

        var e = Assert.Throws<CommandQueueTimeoutException>(() => bed.Queue.IssueCommand(Command.PrefetchConfig(10)));
        Assert.Equal("queue space", e.WaitingFor);
        Assert.Equal(128u, e.Position);
        Assert.Equal(1L, bed.Queue.Statistics.FullQueueWaits);
        Assert.Equal(0, bed.Queue.Lock.Value);
    }

    private sealed class FakeMmio : IMmio
    {
        public uint Cons { get; set; }

        public uint Read32(int offset) => offset == SmmuRegister.CMDQ_CONS ? Cons : 0;

        public void Write32(int offset, uint value)
        {
        }

        public ulong Read64(int offset) => 0;

        public void Write64(int offset, ulong value)
        {
        }
    }
}
