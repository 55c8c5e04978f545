using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>The event queue as a producer (IHI0070 7.2): wrap, overflow, EVENTQEN, abort, interrupts and MSIs.</summary>
public sealed class EventQueueTests
{
    /// <summary>Each call makes one C_BAD_STREAMID record for StreamID <c>0x1000 + n</c>.</summary>
    private static void Fault(SmmuTestBed bed, uint n) => bed.Read(0x1000 + n, 0x1000);

    private static uint Prod(SmmuTestBed bed) => bed.Mmio.Read32(SmmuRegister.EVENTQ_PROD);

    [Fact]
    public void Records_wrap_around_a_small_queue_in_order()
    {
        using var bed = new SmmuTestBed(eventqLog2: 2);
        uint n = 0;
        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < 3; i++)
            {
                Fault(bed, n++);
            }

            var events = bed.DrainEvents();
            Assert.Equal(3, events.Count);
            Assert.Equal([n - 3 + 0x1000, n - 2 + 0x1000, n - 1 + 0x1000], events.Select(e => e.Sid));
        }

        // 15 records in a 4-entry queue: PROD = 15 mod 8 with wrap bit.
        Assert.Equal(15u & 7, Prod(bed) & 7);
        Assert.Equal(0u, Prod(bed) & QueuePointer.OverflowFlag);
    }

    [Fact]
    public void Overflow_drops_records_and_toggles_OVFLG_once_until_acknowledged()
    {
        using var bed = new SmmuTestBed(eventqLog2: 2);
        for (uint i = 0; i < 7; i++)
        {
            Fault(bed, i);
        }

        Assert.Equal(QueuePointer.OverflowFlag, Prod(bed) & QueuePointer.OverflowFlag);
        Assert.Equal(3, bed.Device.Statistics.EventOverflows);
        Assert.Equal(7, bed.Device.Statistics.Events(EventId.C_BAD_STREAMID));

        // The four oldest survive; draining acknowledges (OVACKFLG = OVFLG).
        var events = bed.DrainEvents();
        Assert.Equal([0x1000u, 0x1001, 0x1002, 0x1003], events.Select(e => e.Sid));
        Assert.Equal(QueuePointer.OverflowFlag, bed.Mmio.Read32(SmmuRegister.EVENTQ_CONS) & QueuePointer.OverflowFlag);

        // Room again: records are written and OVFLG stays until the next overflow.
        Fault(bed, 10);
        Assert.Equal(QueuePointer.OverflowFlag, Prod(bed) & QueuePointer.OverflowFlag);
        for (uint i = 11; i < 16; i++)
        {
            Fault(bed, i);
        }

        Assert.Equal(0u, Prod(bed) & QueuePointer.OverflowFlag); // re-armed by the acknowledgement, toggled again
        Assert.Equal([0x100Au, 0x100B, 0x100C, 0x100D], bed.DrainEvents().Select(e => e.Sid));
    }

    [Fact]
    public void Overflow_without_acknowledgement_does_not_toggle_OVFLG_again()
    {
        using var bed = new SmmuTestBed(eventqLog2: 1);
        for (uint i = 0; i < 3; i++)
        {
            Fault(bed, i);
        }

        Assert.Equal(QueuePointer.OverflowFlag, Prod(bed) & QueuePointer.OverflowFlag);

        // Consume the records without acknowledging the overflow (OVACKFLG stays 0).
        bed.Mmio.Write32(SmmuRegister.EVENTQ_CONS, Prod(bed) & ~QueuePointer.OverflowFlag);
        for (uint i = 0; i < 5; i++)
        {
            Fault(bed, i);
        }

        Assert.Equal(QueuePointer.OverflowFlag, Prod(bed) & QueuePointer.OverflowFlag);
        Assert.Equal(0u, bed.ActiveErrors);
    }

    [Fact]
    public void EVENTQEN_clear_drops_records_silently()
    {
        using var bed = new SmmuTestBed(eventqLog2: 1);
        bed.ClearCr0(Cr0.EVENTQEN);
        for (uint i = 0; i < 5; i++)
        {
            Fault(bed, i);
        }

        Assert.Equal(0u, Prod(bed));
        Assert.Equal(0u, bed.ActiveErrors);
        Assert.Equal(0, bed.Device.Statistics.EventOverflows);
        bed.SetCr0(Cr0.EVENTQEN);
        Assert.Empty(bed.DrainEvents());
        Fault(bed, 9);
        Assert.Equal(0x1009u, bed.SingleEvent().Sid);
    }

    [Fact]
    public void An_event_queue_in_unbacked_memory_raises_EVENTQ_ABT_ERR()
    {
        using var bed = new SmmuTestBed();
        bed.ClearCr0(Cr0.EVENTQEN);
        bed.Mmio.Write64(SmmuRegister.EVENTQ_BASE, QueueBase.ADDR.InsertAddress(0, SmmuTestBed.Unbacked) | QueueBase.LOG2SIZE.Make(4));
        bed.SetCr0(Cr0.EVENTQEN);
        Fault(bed, 0);
        Assert.Equal(GError.EVENTQ_ABT_ERR, bed.ActiveErrors);
        Assert.Equal(0u, Prod(bed));
    }

    [Fact]
    public void The_wired_event_interrupt_fires_per_record_when_enabled()
    {
        using var bed = new SmmuTestBed();
        Fault(bed, 0);
        Assert.Equal(0, bed.Signals.Count(SmmuInterrupt.EventQueue));
        bed.Mmio.Write32(SmmuRegister.IRQ_CTRL, (uint)IrqCtrl.EVENTQ_IRQEN.Make(1));
        Fault(bed, 1);
        Fault(bed, 2);
        Assert.Equal(2, bed.Signals.Count(SmmuInterrupt.EventQueue));
    }

    [Fact]
    public void With_EVENTQ_IRQ_CFG0_ADDR_set_the_event_interrupt_is_an_MSI()
    {
        // An MSI-only SMMU: one with wired lines would also pulse the EVENTQ line (3.18.2).
        using var bed = new SmmuTestBed(new SmmuFeatures { WiredInterrupts = false });
        bed.ProgramEventqMsi(SmmuTestBed.MsiTarget + 0x40, 0x1234_5678);
        Fault(bed, 0);
        Assert.Equal(0x1234_5678u, bed.Memory.Read32(SmmuTestBed.MsiTarget + 0x40));
        Assert.Equal(0, bed.Signals.Count(SmmuInterrupt.EventQueue));
    }

    [Fact]
    public void Without_MSI_support_CFG0_is_ignored_and_the_wired_line_fires()
    {
        using var bed = new SmmuTestBed(new SmmuFeatures { Msi = false });
        bed.ProgramEventqMsi(SmmuTestBed.MsiTarget, 0x55);
        Fault(bed, 0);
        Assert.Equal(0u, bed.Memory.Read32(SmmuTestBed.MsiTarget));
        Assert.Equal(1, bed.Signals.Count(SmmuInterrupt.EventQueue));
    }

    [Fact]
    public void An_event_MSI_to_unbacked_memory_raises_MSI_EVENTQ_ABT_ERR_and_keeps_the_record()
    {
        using var bed = new SmmuTestBed();
        bed.Mmio.Write64(SmmuRegister.EVENTQ_IRQ_CFG0, SmmuTestBed.Unbacked);
        bed.Mmio.Write32(SmmuRegister.IRQ_CTRL, (uint)(IrqCtrl.EVENTQ_IRQEN.Make(1) | IrqCtrl.GERROR_IRQEN.Make(1)));
        Fault(bed, 0);
        Assert.Equal(GError.MSI_EVENTQ_ABT_ERR, bed.ActiveErrors);
        Assert.Equal(1, bed.Signals.Count(SmmuInterrupt.GlobalError));
        Assert.Equal(0x1000u, bed.SingleEvent().Sid);
    }

    [Fact]
    public void The_interrupt_handler_may_read_registers_and_drain_the_queue()
    {
        using var bed = new SmmuTestBed();
        var drained = new List<EventRecord>();
        var sink = new DrainingSink(bed, drained);
        using var dev = new SmmuDevice(new SmmuDeviceOptions(), bed.Memory, sink);
        sink.Device = dev;

        EnableWithEventQueue(dev);
        dev.Translate(0x77, null, 0, Hardware.Translation.AccessKind.Read);
        Assert.Equal(1, sink.Calls);
        Assert.Equal(1u, sink.SeenProd);
    }

    /// <summary>Programs a second device on the bed's memory by hand: only the event queue (with its interrupt) and SMMUEN matter.</summary>
    private static void EnableWithEventQueue(SmmuDevice dev)
    {
        dev.Write32(SmmuRegister.CR2, SmmuTestBed.RecInvSid);
        dev.Write64(SmmuRegister.EVENTQ_BASE, QueueBase.ADDR.InsertAddress(0, SmmuTestBed.EventQueue + 0x8000) | QueueBase.LOG2SIZE.Make(3));
        dev.Write32(SmmuRegister.IRQ_CTRL, (uint)IrqCtrl.EVENTQ_IRQEN.Make(1));
        dev.Write64(SmmuRegister.STRTAB_BASE, StrtabBase.ADDR.InsertAddress(0, SmmuTestBed.StreamTable));
        dev.Write32(SmmuRegister.STRTAB_BASE_CFG, 2);
        dev.Write32(SmmuRegister.CR0, (uint)(Cr0.EVENTQEN.Make(1) | Cr0.SMMUEN.Make(1)));
    }

    private sealed class DrainingSink(SmmuTestBed bed, List<EventRecord> drained) : IInterruptSink
    {
        public SmmuDevice? Device { get; set; }

        public int Calls { get; private set; }

        public uint SeenProd { get; private set; }

        public void Raise(SmmuInterrupt line)
        {
            Calls++;
            SeenProd = Device!.Read32(SmmuRegister.EVENTQ_PROD);
            Device.Write32(SmmuRegister.EVENTQ_CONS, SeenProd);
            drained.Add(new EventRecord(bed.Memory.Read64(SmmuTestBed.EventQueue + 0x8000), 0, 0, 0));
        }
    }
}
