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
        observer?.EventRecorded(this, record);
        if (!EventqEnabled)
        {
            return;
        }

        if (eventq.IsFull)
        {
            eventq.SignalOverflow();
            Statistics.CountEventOverflow();
            return;
        }

        if (!record.TryWriteTo(memory, eventq.ProducerEntry))
        {
            RaiseGlobalError(GError.EVENTQ_ABT_ERR);
            return;
        }

        Clock.Advance(Options.Costs.EventWriteNs);
        eventq.AdvanceProducer();
        if (IrqCtrl.EVENTQ_IRQEN.IsSet(irqCtrl))
        {
            SignalInterrupt(eventqIrqCfg0, eventqIrqCfg1, SmmuInterrupt.EventQueue, GError.MSI_EVENTQ_ABT_ERR);
        }
    }
}
