using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.TestSupport.Smmu;

/// <summary>
/// The software side of an SMMU's event queue: reads the records between its consumer index and
/// EVENTQ_PROD, then writes EVENTQ_CONS (acknowledging an overflow).
/// </summary>
public sealed class EventQueueReader(IPhysicalMemory memory, IMmio mmio, ulong baseAddress, int log2Entries)
{
    private uint cons;

    /// <summary>log2 of the number of records the queue holds.</summary>
    public int Log2Entries => log2Entries;

    /// <summary>Starts again at index 0 (after the PROD and CONS registers are reset).</summary>
    public void Reset() => cons = 0;

    /// <summary>Reads and consumes every event record; acknowledges an overflow.</summary>
    public List<EventRecord> Drain()
    {
        var events = new List<EventRecord>();
        var prod = mmio.Read32(SmmuRegister.EVENTQ_PROD);
        while (!QueuePointer.IsEmpty(prod, cons, log2Entries))
        {
            var slot = baseAddress + (QueuePointer.Index(cons, log2Entries) * (ulong)EventRecord.Bytes);
            events.Add(EventRecord.ReadFrom(memory, slot));
            cons = QueuePointer.Increment(cons, log2Entries);
        }

        mmio.Write32(SmmuRegister.EVENTQ_CONS, cons | (prod & QueuePointer.OverflowFlag));
        return events;
    }
}
