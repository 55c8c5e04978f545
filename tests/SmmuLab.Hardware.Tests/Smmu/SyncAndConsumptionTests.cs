using System.Diagnostics;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>CMD_SYNC completion signals (IHI0070 4.7.3) and the two consumption modes.</summary>
public sealed class SyncAndConsumptionTests
{
    private static void WaitFor(Func<bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), "timed out");
            Thread.Yield();
        }
    }

    [Fact]
    public void CMD_SYNC_with_CS_NONE_completes_when_CONS_passes_it()
    {
        using var bed = new SmmuTestBed();
        bed.Put(Command.TlbiNsnhAll());
        bed.Put(Command.Sync(SyncCompletion.SIG_NONE));
        Assert.Equal(CommandError.CERROR_NONE, bed.Publish());
        Assert.Equal(bed.Prod, bed.Cons);
        Assert.Equal(0, bed.Signals.Count(SmmuInterrupt.CmdSync));
        Assert.Equal(0, bed.Signals.Sev);
    }

    [Theory]
    [InlineData(ConsumptionMode.Inline)]
    [InlineData(ConsumptionMode.FreeRunning)]
    public void CMD_SYNC_with_SIG_IRQ_writes_MSIDATA_to_MSIADDR(ConsumptionMode mode)
    {
        using var bed = new SmmuTestBed(mode: mode);
        bed.Memory.WriteVolatile32(SmmuTestBed.SyncWord + 0x84, 0xFFFF_FFFF);
        bed.Put(Command.CfgiAll());
        bed.Put(Command.Sync(SyncCompletion.SIG_IRQ, SmmuTestBed.SyncWord + 0x84, 0xABCD_0001));
        bed.Mmio.Write32(SmmuRegister.CMDQ_PROD, bed.Prod);
        WaitFor(() => bed.Memory.ReadVolatile32(SmmuTestBed.SyncWord + 0x84) == 0xABCD_0001);
        Assert.Equal(CommandError.CERROR_NONE, bed.WaitForConsumer());
        Assert.Equal(0u, bed.ActiveErrors);
    }

    [Fact]
    public void CMD_SYNC_MSI_to_unbacked_memory_sets_MSI_CMDQ_ABT_ERR_and_the_queue_goes_on()
    {
        using var bed = new SmmuTestBed();
        bed.Mmio.Write32(SmmuRegister.IRQ_CTRL, (uint)IrqCtrl.GERROR_IRQEN.Make(1));
        bed.Put(Command.Sync(SyncCompletion.SIG_IRQ, SmmuTestBed.Unbacked, 1));
        bed.Put(Command.TlbiNsnhAll());
        Assert.Equal(CommandError.CERROR_NONE, bed.Publish());
        Assert.Equal(bed.Prod, bed.Cons);
        Assert.Equal(GError.MSI_CMDQ_ABT_ERR, bed.ActiveErrors);
        Assert.Equal(1, bed.Signals.Count(SmmuInterrupt.GlobalError));
        bed.AcknowledgeErrors();
        Assert.Equal(0u, bed.ActiveErrors);
    }

    [Fact]
    public void CMD_SYNC_with_SIG_IRQ_and_no_MSI_support_raises_the_wired_line()
    {
        using var bed = new SmmuTestBed(new SmmuFeatures { Msi = false });
        bed.Put(Command.Sync(SyncCompletion.SIG_IRQ, SmmuTestBed.SyncWord, 7));
        bed.Publish();
        Assert.Equal(1, bed.Signals.Count(SmmuInterrupt.CmdSync));
        Assert.Equal(0u, bed.Memory.Read32(SmmuTestBed.SyncWord));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CMD_SYNC_with_SIG_SEV_sends_an_event_only_when_IDR0_SEV(bool sev)
    {
        using var bed = new SmmuTestBed(new SmmuFeatures { Sev = sev });
        bed.Put(Command.Sync(SyncCompletion.SIG_SEV));
        Assert.Equal(CommandError.CERROR_NONE, bed.Publish());
        Assert.Equal(sev ? 1 : 0, bed.Signals.Sev);
    }

    [Fact]
    public void Inline_mode_consumes_before_the_PROD_write_returns()
    {
        using var bed = new SmmuTestBed();
        for (var i = 0; i < 10; i++)
        {
            bed.Put(Command.TlbiNsnhAll());
        }

        bed.Mmio.Write32(SmmuRegister.CMDQ_PROD, bed.Prod);
        Assert.Equal(bed.Prod, bed.Cons);
    }

    [Fact]
    public void The_queue_wraps_many_times()
    {
        using var bed = new SmmuTestBed();
        for (var i = 0; i < 3 * (1 << SmmuTestBed.CmdqLog2); i++)
        {
            bed.Run(Command.PrefetchConfig(1));
        }

        Assert.Equal(bed.Prod, bed.Cons);
        Assert.True(bed.Device.Statistics.Commands(Opcode.CMD_SYNC) >= 3 * (1 << SmmuTestBed.CmdqLog2));
    }

    [Fact]
    public void Draining_a_free_running_SMMU_consumes_every_published_command_before_it_returns()
    {
        using var bed = new SmmuTestBed(mode: ConsumptionMode.FreeRunning);
        bed.Device.DrainCommandQueue();
        var before = bed.Device.Statistics.Commands(Opcode.CMD_TLBI_NSNH_ALL);
        for (var i = 1; i <= 200; i++)
        {
            bed.Put(Command.TlbiNsnhAll());
            bed.Mmio.Write32(SmmuRegister.CMDQ_PROD, bed.Prod);
            bed.Device.DrainCommandQueue();

            // No CMD_SYNC and no waiting: the count is exact right after the drain.
            Assert.Equal(before + i, bed.Device.Statistics.Commands(Opcode.CMD_TLBI_NSNH_ALL));
            Assert.Equal(bed.Prod, bed.Mmio.Read32(SmmuRegister.CMDQ_CONS));
        }
    }

    [Fact]
    public void Free_running_mode_completes_a_CMD_SYNC_asynchronously_on_the_device_thread()
    {
        using var bed = new SmmuTestBed(mode: ConsumptionMode.FreeRunning);
        var threads = new HashSet<int>();
        bed.Device.AddObserver(new DelegateObserver
        {
            OnCommand = (_, _) =>
            {
                lock (threads)
                {
                    threads.Add(Environment.CurrentManagedThreadId);
                }
            },
        });
        bed.WriteSte(4, StructureImages.Bypass());
        bed.Put(Command.CfgiSte(4, true));
        bed.Put(Command.Sync(SyncCompletion.SIG_IRQ, SmmuTestBed.SyncWord, 0x600D));
        bed.Mmio.Write32(SmmuRegister.CMDQ_PROD, bed.Prod);
        WaitFor(() => bed.Memory.ReadVolatile32(SmmuTestBed.SyncWord) == 0x600D);
        Assert.Equal(TransactionOutcome.Bypassed, bed.Read(4, 0).Outcome);
        lock (threads)
        {
            Assert.DoesNotContain(Environment.CurrentManagedThreadId, threads);
            Assert.Single(threads);
        }
    }

    [Fact]
    public void Free_running_mode_raises_global_errors_from_the_device_thread()
    {
        using var bed = new SmmuTestBed(mode: ConsumptionMode.FreeRunning);
        bed.Mmio.Write32(SmmuRegister.IRQ_CTRL, (uint)IrqCtrl.GERROR_IRQEN.Make(1));
        bed.Put(new Command(0xEE, 0));
        Assert.Equal(CommandError.CERROR_ILL, bed.Publish());
        WaitFor(() => bed.Signals.Count(SmmuInterrupt.GlobalError) == 1);
    }

    [Fact]
    public async Task Free_running_mode_serves_concurrent_producers_and_DMA()
    {
        using var bed = new SmmuTestBed(mode: ConsumptionMode.FreeRunning);
        bed.ConfigureStage1(1);
        bed.MapS1(0x1000, SmmuTestBed.Data);
        using var stop = new CancellationTokenSource();
        using var started = new ManualResetEventSlim();
        var dma = Task.Run(() =>
        {
            var n = 0;
            do
            {
                Assert.Equal(SmmuTestBed.Data, bed.Read(1, 0x1000).PhysicalAddress);
                n++;
                started.Set();
            }
            while (!stop.IsCancellationRequested);

            return n;
        });

        // The DMA thread is running before the commands start, however loaded the machine is.
        started.Wait(TestContext.Current.CancellationToken);
        for (var i = 0; i < 50; i++)
        {
            bed.Run(Command.TlbiNhAsid(0, 1), Command.CfgiSte(1, true));
        }

        stop.Cancel();
        Assert.True(await dma > 0);
    }

    [Fact]
    public void Dispose_stops_the_device_thread_and_later_writes_are_harmless()
    {
        var bed = new SmmuTestBed(mode: ConsumptionMode.FreeRunning);
        bed.Dispose();
        var cons = bed.Cons;
        bed.Put(Command.TlbiNsnhAll());
        bed.Mmio.Write32(SmmuRegister.CMDQ_PROD, bed.Prod);
        Thread.Sleep(50);
        Assert.Equal(cons, bed.Cons);
        bed.Dispose();
    }

    [Fact]
    public void Dispose_is_idempotent_in_inline_mode_and_the_device_keeps_answering_registers()
    {
        var bed = new SmmuTestBed();
        bed.Dispose();
        bed.Dispose();
        Assert.NotEqual(0u, bed.Mmio.Read32(SmmuRegister.IDR0));
    }
}
