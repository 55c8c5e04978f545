using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Smmu;

/// <summary>The event queue producer (IHI0070 7.2, 7.3).</summary>
public sealed partial class SmmuDevice
{
    /// <summary>
    /// Records an event (caller holds the device lock). Dropped silently while EVENTQEN = 0; on a
    /// full queue the record is discarded and EVENTQ_PROD.OVFLG toggles if the last overflow was
    /// acknowledged (OVFLG == CONS.OVACKFLG); an unbacked queue slot raises GERROR.EVENTQ_ABT_ERR.
    /// </summary>
    private void RecordEvent(in EventRecord record)
    {
        Statistics.CountEvent(record.Id);
        EventRecorded?.Invoke(this, record);
        if (!EventqEnabled)
        {
            return;
        }

        var log2 = EventqLog2Size;
        if (QueuePointer.IsFull(eventqProd, eventqCons, log2))
        {
            if ((eventqProd & QueuePointer.OverflowFlag) == (eventqCons & QueuePointer.OverflowFlag))
            {
                eventqProd ^= QueuePointer.OverflowFlag;
            }

            Statistics.CountEventOverflow();
            return;
        }

        var baseAddr = QueueBase.AlignedBase(QueueBase.ADDR.GetAddress(eventqBase), log2, EventRecord.Bytes);
        var slot = baseAddr + (QueuePointer.Index(eventqProd, log2) * (ulong)EventRecord.Bytes);
        if (!memory.IsBacked(slot))
        {
            RaiseGlobalError(GError.EVENTQ_ABT_ERR);
            return;
        }

        memory.Write64(slot, record.Dw0);
        memory.Write64(slot + 8, record.Dw1);
        memory.Write64(slot + 16, record.Dw2);
        memory.Write64(slot + 24, record.Dw3);
        Clock.Advance(Options.Costs.EventWriteNs);
        eventqProd = QueuePointer.Increment(eventqProd, log2);
        if (IrqCtrl.EVENTQ_IRQEN.IsSet(irqCtrl))
        {
            SignalInterrupt(eventqIrqCfg0, eventqIrqCfg1, SmmuInterrupt.EventQueue, GError.MSI_EVENTQ_ABT_ERR);
        }
    }
}
