using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Driver.Platform;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Smmu;
using SmmuLab.TestSupport.Memory;

namespace SmmuLab.Driver.Tests.Cmdq;

/// <summary>
/// One SMMU model with a driver command queue on it, programmed the way the driver's reset will
/// do it (a stand-in for the prober): CMDQ_BASE, CMDQ_PROD/CONS, IRQ_CTRL.GERROR_IRQEN, then
/// CR0.CMDQEN and SMMUEN. The GERROR wired interrupt is routed to a <see cref="GlobalErrorHandler"/>.
/// </summary>
internal sealed class CommandQueueTestBed : IInterruptSink, IDisposable
{
    public CommandQueueTestBed(
        ConsumptionMode mode,
        SyncCompletionMode completion,
        int log2Entries = 8,
        bool forceSync = false,
        TimeSpan? timeout = null,
        bool enable = true,
        bool record = false,
        Func<Command, bool>? supports = null,
        SmmuFeatures? features = null,
        Waiter? waiter = null,
        Func<SparsePhysicalMemory, IPhysicalMemory>? driverMemory = null,
        Func<SparsePhysicalMemory, IDeviceMemory>? deviceMemory = null)
    {
        Smmu = new SmmuDevice(new SmmuDeviceOptions { Mode = mode, Features = features ?? new SmmuFeatures() }, deviceMemory?.Invoke(Memory) ?? Memory, this, Events);
        Platform = new DriverPlatform(Smmu, driverMemory?.Invoke(Memory) ?? Memory, Allocator, Events) { Waiter = waiter ?? Waiter.Default };
        Queue = new CommandQueue(Platform, new CommandQueueOptions
        {
            Log2Entries = log2Entries,
            Completion = completion,
            ForceSync = forceSync,
            PollTimeout = timeout ?? TimeSpan.FromSeconds(1),
            Supports = supports,
        });
        GlobalErrors = new GlobalErrorHandler(Smmu, Queue);
        if (record)
        {
            Smmu.AddObserver(new DelegateObserver { OnCommand = (_, c) => Consumed.Add(c.Command) });
        }

        if (enable)
        {
            Enable();
        }
    }

    public SparsePhysicalMemory Memory { get; } = new();

    public WaitForEvent Events { get; } = new();

    public TestDmaAllocator Allocator { get; } = new();

    public SmmuDevice Smmu { get; }

    public DriverPlatform Platform { get; }

    public CommandQueue Queue { get; }

    public GlobalErrorHandler GlobalErrors { get; }

    /// <summary>Every command the SMMU consumed, in order (when recording; appended under the device lock).</summary>
    public List<Command> Consumed { get; } = [];

    public uint HardwareProd => Smmu.Read32(SmmuRegister.CMDQ_PROD);

    public uint HardwareCons => Smmu.Read32(SmmuRegister.CMDQ_CONS);

    /// <summary>Programs the queue and turns on CMDQEN (and SMMUEN unless told otherwise).</summary>
    public void Enable(bool smmuEnable = true)
    {
        Smmu.Write64(SmmuRegister.CMDQ_BASE, Queue.BaseRegisterValue);
        Smmu.Write32(SmmuRegister.CMDQ_PROD, Queue.SoftwareProd);
        Smmu.Write32(SmmuRegister.CMDQ_CONS, Queue.SoftwareCons);
        Smmu.Write32(SmmuRegister.IRQ_CTRL, (uint)IrqCtrl.GERROR_IRQEN.Make(1));
        EnableQueue(smmuEnable);
    }

    /// <summary>Sets CR0.CMDQEN (the queue must already be programmed).</summary>
    public void EnableQueue(bool smmuEnable = true) =>
        Smmu.Write32(SmmuRegister.CR0, (uint)(Cr0.CMDQEN.Make(1) | Cr0.SMMUEN.Make(smmuEnable ? 1UL : 0)));

    public void Raise(SmmuInterrupt line)
    {
        if (line == SmmuInterrupt.GlobalError)
        {
            GlobalErrors.HandleInterrupt();
        }
    }

    public void Dispose() => Smmu.Dispose();
}
