using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Probe;

/// <summary>
/// The event queue as the driver owns it (Linux <c>arm_smmu_evtq_thread</c>): allocated at probe,
/// drained on the EVENTQ interrupt or on demand, each record decoded and handed to listeners.
/// Overflow is noticed from PROD.OVFLG and acknowledged by copying it into CONS.OVACKFLG.
/// </summary>
internal sealed class EventQueueReader
{
    private readonly DriverPlatform platform;
    private readonly object gate = new();
    private readonly List<EventRecord> history = [];
    private uint cons;
    private uint lastOverflowFlag;

    public EventQueueReader(DriverPlatform platform, int log2Entries)
    {
        this.platform = platform;
        Log2Entries = log2Entries;
        var bytes = (ulong)EventRecord.Bytes << log2Entries;
        Base = platform.Allocator.Allocate(bytes, bytes);
    }

    public int Log2Entries { get; }

    public ulong Base { get; }

    public ulong BaseRegister => QueueBase.ADDR.InsertAddress(0, Base) | QueueBase.LOG2SIZE.Make((ulong)Log2Entries) | QueueBase.RWA.Make(1);

    /// <summary>Overflows seen (records the SMMU had to drop).</summary>
    public int Overflows { get; private set; }

    /// <summary>Every event read so far, in order.</summary>
    public IReadOnlyList<EventRecord> History
    {
        get
        {
            lock (gate)
            {
                return [.. history];
            }
        }
    }

    /// <summary>Raised for each event read, on the thread that drains the queue.</summary>
    public event Action<EventRecord>? EventReceived;

    /// <summary>Reads every record the SMMU has written since the last drain; returns them.</summary>
    public List<EventRecord> Drain()
    {
        var read = new List<EventRecord>();
        lock (gate)
        {
            var prod = platform.Mmio.Read32(SmmuRegister.EVENTQ_PROD);
            while (!QueuePointer.IsEmpty(prod, cons, Log2Entries))
            {
                var slot = Base + (QueuePointer.Index(cons, Log2Entries) * (ulong)EventRecord.Bytes);
                read.Add(EventRecord.ReadFrom(platform.Memory, slot));
                cons = QueuePointer.Increment(cons, Log2Entries);
            }

            var overflow = prod & QueuePointer.OverflowFlag;
            if (overflow != lastOverflowFlag)
            {
                Overflows++;
                lastOverflowFlag = overflow;
            }

            // Consume and acknowledge any overflow in one write.
            platform.Mmio.Write32(SmmuRegister.EVENTQ_CONS, cons | overflow);
            history.AddRange(read);
        }

        foreach (var e in read)
        {
            EventReceived?.Invoke(e);
        }

        return read;
    }

    /// <summary>A one-line description of an event, the way the kernel logs it.</summary>
    public static string Describe(in EventRecord e)
    {
        var text = $"event 0x{(byte)e.Id:x2} {e.Id} received: sid 0x{e.Sid:x}";
        if (e.SsidValid)
        {
            text += $" ssid 0x{e.Ssid:x}";
        }

        return e.Id switch
        {
            EventId.F_TRANSLATION or EventId.F_ADDR_SIZE or EventId.F_ACCESS or EventId.F_PERMISSION =>
                text + $" iova 0x{e.Address:x}{(e.IsStage2 ? $" ipa 0x{e.Ipa:x} (stage 2)" : string.Empty)} {(e.IsRead ? "read" : "write")} class {e.Class}",
            EventId.F_STE_FETCH or EventId.F_CD_FETCH or EventId.F_WALK_EABT => text + $" fetch 0x{e.Fetch:x}",
            _ => text,
        };
    }
}
