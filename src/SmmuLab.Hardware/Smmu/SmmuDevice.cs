using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Concurrency;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Products;
using SmmuLab.Hardware.Queues;
using SmmuLab.Hardware.Timing;

namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// One Arm SMMUv3 instance. Software reaches it only through <see cref="IMmio"/> (its two 64 KiB
/// register pages), the physical memory it reads and writes (stream table, CDs, page tables,
/// queues, MSI targets), and the interrupt lines it raises. Endpoints reach it through
/// <see cref="Translate"/> (untranslated DMA) and the ATS entry points.
/// </summary>
/// <remarks>
/// The model is a partial class split by aspect: registers, command consumption, event queue,
/// translation, ATS. A single lock (<see cref="gate"/>) serialises register writes, command
/// consumption and cache updates; translations that walk or fault take it too. A TLB hit and the
/// data of an endpoint's DMA may run without it, and a CMD_SYNC then waits for such accesses in
/// flight (<see cref="TryBeginUnlockedDma"/>), which keeps "completed CMD_SYNC means no stale
/// translation" checkable.
/// </remarks>
public sealed partial class SmmuDevice : IMmio, IDisposable
{
    private readonly DeviceGate gate = new();
    private readonly IDeviceMemory memory;
    private readonly IInterruptSink? interrupts;
    private readonly IEventSignal? sev;
    private readonly ProductErrata errata;
    private readonly CommandReservedBits reservedBits;
    private readonly Dictionary<uint, Endpoint> endpointsBySid = [];
    private readonly HardwareQueue cmdq;
    private readonly HardwareQueue eventq;
    private readonly HardwareQueue priq;
    private readonly Thread? consumerThread;
    private readonly SemaphoreSlim consumerWake = new(0);
    private readonly object disposeGate = new();
    private volatile bool disposed;

    public SmmuDevice(SmmuDeviceOptions options, IDeviceMemory memory, IInterruptSink? interrupts = null, IEventSignal? sev = null)
    {
        options.Features.Validate();
        Options = options;
        this.memory = memory;
        this.interrupts = interrupts;
        this.sev = sev;
        Clock = new ModeledClock();
        errata = ProductErrata.For(options.Product);
        reservedBits = new CommandReservedBits(options.Features);
        cmdq = Queue(CommandLayouts.Bytes, Features.CommandQueueBits);
        eventq = Queue(EventRecord.Bytes, Features.EventQueueBits);
        priq = Queue(PriQueueEntry.Bytes, Features.PriQueueBits);
        InitialiseCaches();
        InitialiseRegisters();
        largestStage1BlockShift = LargestStage1BlockShift(options.Features);
        ResetRegisters();
        if (options.Mode == ConsumptionMode.FreeRunning)
        {
            consumerThread = new Thread(ConsumerLoop) { IsBackground = true, Name = $"{options.Name} CMDQ consumer" };
            consumerThread.Start();
        }
    }

    public SmmuDeviceOptions Options { get; }

    /// <summary>The device lock; connected endpoints do each page of DMA under it.</summary>
    internal DeviceGate SyncRoot => gate;

    public string Name => Options.Name;

    public SmmuFeatures Features => Options.Features;

    public SmmuStatistics Statistics { get; } = new();

    /// <summary>Modeled hardware time spent by this SMMU and its endpoints' ATS traffic.</summary>
    public ModeledClock Clock { get; }

    /// <summary>Connects an endpoint: its StreamIDs route ATC invalidations to it.</summary>
    public void Connect(Endpoint endpoint)
    {
        using (gate.Enter())
        {
            foreach (var sid in endpoint.StreamIds)
            {
                if (!endpointsBySid.TryAdd(sid, endpoint))
                {
                    throw new ArgumentException($"{Name}: StreamID 0x{sid:x} is already connected to {endpointsBySid[sid].Name}");
                }
            }
        }

        endpoint.AttachTo(this);
    }

    /// <summary>
    /// Stops the free-running consumer thread and waits for it. Idempotent; afterwards the register
    /// file still answers, but a free-running device consumes no more commands.
    /// </summary>
    public void Dispose()
    {
        lock (disposeGate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            consumerWake.Release();
        }

        consumerThread?.Join();
        consumerWake.Dispose(); // no one touches it once disposed is set and the thread has gone
    }

    /// <summary>
    /// Consumes, on the calling thread, the commands software has published that the free-running
    /// device thread has not reached yet, so that counters read afterwards include every command
    /// published before this call (a command issued without a CMD_SYNC has no other point at which
    /// it is known to be consumed). In inline mode every published command is already consumed and
    /// this does nothing.
    /// </summary>
    public void DrainCommandQueue()
    {
        if (Options.Mode == ConsumptionMode.FreeRunning && !disposed)
        {
            ConsumeCommands();
        }
    }

    private void ConsumerLoop()
    {
        while (!disposed)
        {
            consumerWake.Wait();
            if (disposed)
            {
                return;
            }

            ConsumeCommands();
        }
    }

    /// <summary>One of the SMMU's queues: *_BASE, PROD and CONS as 6.3.26-6.3.31 lay them out.</summary>
    private static HardwareQueue Queue(int entryBytes, int maxLog2Size) =>
        new(new QueueFormat(QueueBase.ADDR, QueueBase.LOG2SIZE, QueuePointer.WR, QueuePointer.ERR, entryBytes, maxLog2Size));

    /// <summary>Asks the consumer to look at the command queue: now (inline) or on the device thread.</summary>
    private void KickConsumer()
    {
        if (Options.Mode == ConsumptionMode.Inline)
        {
            ConsumeCommands();
        }
        else
        {
            lock (disposeGate)
            {
                if (!disposed)
                {
                    consumerWake.Release();
                }
            }
        }
    }
}
