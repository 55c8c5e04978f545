using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Driver.Probe;

namespace SmmuLab.Verification.Tests.Faults;

/// <summary>
/// Faults of the hardware around the driver: an endpoint that never completes ATC_INV, a command
/// queue whose consumer stops, an event queue that overflows. Each is answered the architected
/// way, the driver reports it and recovers (or the device is isolated), and the stale-translation
/// oracle stays clean. No timed assertion: a timeout is asserted by the error it raises.
/// </summary>
public class HardwareFaultTests
{
    private const ulong Iova = 0x10000;

    [Fact]
    public void An_endpoint_that_never_answers_ATC_INV_gives_CERROR_ATC_INV_SYNC_and_is_isolated_by_a_detach()
    {
        using var bed = new FaultBed();
        var mute = bed.Device("mute", 0x10, ats: true);
        var d = bed.Domain("d", 5);
        bed.Attach(mute, d);
        bed.Map(d, Iova, FaultBed.Buffer, 0x2000);
        Assert.True(mute.Master.AtsEnabled);
        Assert.True(FaultBed.Reads(mute, Iova));
        var errors = new List<CommandQueueError>();
        bed.Smmu.Driver.Cmdq.CommandErrorHandled += (_, e) => errors.Add(e);

        mute.Endpoint.RespondsToInvalidation = false;
        d.Unmap(Iova, 0x1000);

        // The SMMU reported the CMD_SYNC after the ATC_INV as CERROR_ATC_INV_SYNC; the driver
        // counted it, retried the CMD_SYNC and returned: the unmap does not hang.
        var error = Assert.Single(errors);
        Assert.Equal(CommandError.CERROR_ATC_INV_SYNC, error.Error);
        Assert.Equal(1L, bed.Smmu.Driver.Cmdq.Statistics.AtcInvalidationTimeouts);
        Assert.True(mute.Endpoint.AtcInvalidationsReceived >= 1);

        // The endpoint's ATC may still hold the page, so the device is isolated: blocked, ATS off
        // (which empties a function's ATC), and the unmap is told to the oracle only now.
        bed.Detach(mute);
        bed.Oracle.Unmapped("d", Iova, 0x1000);
        Assert.False(mute.Endpoint.AtsEnabled);
        Assert.False(FaultBed.Reads(mute, Iova));
        Assert.False(FaultBed.Reads(mute, Iova + 0x1000));

        Assert.True(bed.Oracle.ViolationCount == 0, bed.Violations);
        Assert.Equal(1L, bed.Oracle.PagesChecked);
    }

    [Fact]
    public void A_command_queue_whose_consumer_stops_times_out_and_recovers_when_it_runs_again()
    {
        using var bed = new FaultBed(new DriverOptions { PollTimeout = TimeSpan.FromMilliseconds(200) });
        var dev = bed.Device("dev", 0x10);
        var d = bed.Domain("d", 5);
        bed.Attach(dev, d);
        bed.Map(d, Iova, FaultBed.Buffer, 0x2000);
        Assert.True(FaultBed.Reads(dev, Iova));
        var cr0 = bed.Smmu.Device.Read32(SmmuRegister.CR0);

        // The consumer stops: CMDQEN cleared behind the driver's back (as a hung SMMU would be).
        bed.Smmu.Device.Write32(SmmuRegister.CR0, cr0 & ~(uint)Cr0.CMDQEN.InPlaceMask);
        var e = Assert.Throws<CommandQueueTimeoutException>(() => d.Unmap(Iova, 0x1000));
        Assert.Equal("CMD_SYNC", e.WaitingFor);
        Assert.NotEqual(e.HardwareProd, e.HardwareCons);
        Assert.Equal(1L, bed.Smmu.Driver.Cmdq.Statistics.Timeouts);

        // It runs again: the queued TLBI and CMD_SYNC are consumed, the next CMD_SYNC completes,
        // and only then is the unmap complete for the oracle.
        bed.Smmu.Device.Write32(SmmuRegister.CR0, cr0);
        bed.Smmu.Driver.Cmdq.Sync();
        Assert.Equal(bed.Smmu.Device.Read32(SmmuRegister.CMDQ_PROD), bed.Smmu.Device.Read32(SmmuRegister.CMDQ_CONS));
        bed.Oracle.Unmapped("d", Iova, 0x1000);
        Assert.False(FaultBed.Reads(dev, Iova));
        Assert.True(FaultBed.Reads(dev, Iova + 0x1000));

        // And later work goes through.
        bed.Unmap(d, Iova + 0x1000, 0x1000);
        Assert.False(FaultBed.Reads(dev, Iova + 0x1000));
        Assert.Equal(1L, bed.Smmu.Driver.Cmdq.Statistics.Timeouts);

        Assert.True(bed.Oracle.ViolationCount == 0, bed.Violations);
        Assert.Equal(2L, bed.Oracle.PagesChecked);
    }

    [Fact]
    public void An_overflowing_event_queue_drops_records_flags_OVFLG_once_and_reports_again_after_the_acknowledgement()
    {
        // A 4-entry event queue nobody drains until the test does (IHI0070 7.4).
        using var bed = new FaultBed(new DriverOptions { MaxEvtqLog2 = 2 }, eventInterrupt: false);
        var dev = bed.Device("dev", 0x10);
        var d = bed.Domain("d", 5);
        bed.Attach(dev, d);
        bed.Map(d, Iova, FaultBed.Buffer, 0x1000);
        var events = bed.Smmu.Driver.Events;

        // Ten faulting reads: four records fit, six are lost, OVFLG toggles once.
        for (var i = 0; i < 10; i++)
        {
            Assert.False(FaultBed.Reads(dev, 0x100_0000 + ((ulong)i * 0x1000)));
        }

        var prod = bed.Smmu.Device.Read32(SmmuRegister.EVENTQ_PROD);
        Assert.Equal(1UL, QueuePointer.OVFLG.Get(prod));
        Assert.Equal(6L, bed.Smmu.Device.Statistics.EventOverflows); // records lost

        // The driver drains the four, sees the overflow and acknowledges it in the same write.
        var first = events.Drain();
        Assert.Equal(4, first.Count);
        Assert.All(first, r => Assert.Equal(EventId.F_TRANSLATION, r.Id));
        Assert.Equal(1, events.Overflows);
        Assert.Equal(QueuePointer.OVFLG.Get(prod), QueuePointer.OVACKFLG.Get(bed.Smmu.Device.Read32(SmmuRegister.EVENTQ_CONS)));

        // Recovered: the next fault is recorded, and a second overflow is flagged again.
        Assert.False(FaultBed.Reads(dev, 0x200_0000));
        Assert.Single(events.Drain());
        for (var i = 0; i < 6; i++)
        {
            Assert.False(FaultBed.Reads(dev, 0x300_0000 + ((ulong)i * 0x1000)));
        }

        Assert.Equal(4, events.Drain().Count);
        Assert.Equal(2, events.Overflows);
        Assert.Equal(8L, bed.Smmu.Device.Statistics.EventOverflows);

        // The mapped page still translates throughout.
        Assert.True(FaultBed.Reads(dev, Iova));
        Assert.True(bed.Oracle.ViolationCount == 0, bed.Violations);
        Assert.Equal(1L, bed.Oracle.PagesChecked);
    }
}
