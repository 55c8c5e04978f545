using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Memory;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Cmdqv;

/// <summary>
/// An NVIDIA Tegra241 CMDQV beside one SMMUv3: its own MMIO window (<see cref="IMmio"/>, laid out
/// as in <see cref="CmdqvRegister"/>), a pool of VCMDQs handed to VINTFs through CMDQ_ALLOC, and one
/// error interrupt. Commands consumed from a VCMDQ are executed by the SMMU against its caches, as
/// if they came from its CMDQ, after the VINTF's restrictions (<see cref="GuestCommandFilter"/>).
/// </summary>
/// <remarks>
/// Locks: the configuration registers (CONFIG, CMDQ_ALLOC, INT_MASK) are written under one lock;
/// each VINTF's SID pairs under that VINTF's lock; each VCMDQ's registers and consumer under that
/// queue's lock, which may take the VINTF lock and then the SMMU's lock, never the other way round.
/// The interrupt handler is called after every lock is released.
/// </remarks>
public sealed partial class Tegra241Cmdqv : IMmio
{
    private readonly Lock configGate = new();
    private readonly VirtualInterface[] vintfs;
    private readonly VirtualCommandQueue[] vcmdqs;
    private readonly uint[] alloc;

    /// <summary>Global VCMDQ index of (VINTF v, lidx l) at [v * Vcmdqs + l], or -1: the VINTF-page alias table.</summary>
    private readonly int[] logicalMap;

    private uint config;
    private ulong interruptMask;
    private long interruptsRaised;
    private long interruptsDropped;
    private long allocationOrderViolations;

    public Tegra241Cmdqv(Tegra241CmdqvOptions options, SmmuDevice smmu, IDeviceMemory memory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(smmu);
        ArgumentNullException.ThrowIfNull(memory);
        options.Validate();
        Options = options;
        Smmu = smmu;
        Memory = memory;
        vintfs = new VirtualInterface[options.Vintfs];
        for (var v = 0; v < vintfs.Length; v++)
        {
            vintfs[v] = new VirtualInterface(v, options.SidsPerVintf);
        }

        vcmdqs = new VirtualCommandQueue[options.Vcmdqs];
        for (var q = 0; q < vcmdqs.Length; q++)
        {
            vcmdqs[q] = new VirtualCommandQueue(this, q);
        }

        alloc = new uint[options.Vcmdqs];
        logicalMap = new int[options.Vintfs * options.Vcmdqs];
        Array.Fill(logicalMap, -1);
    }

    public Tegra241CmdqvOptions Options { get; }

    public string Name => Options.Name;

    /// <summary>The SMMU whose caches the VCMDQs maintain.</summary>
    public SmmuDevice Smmu { get; }

    /// <summary>Bytes of the MMIO window.</summary>
    public int RegionSize => CmdqvRegister.RegionSize(Options.Vintfs);

    /// <summary>
    /// The CMDQV's one interrupt line (a VCMDQ stopped on an error whose VINTF is not masked in
    /// VINTF_INT_MASK). Called on the thread whose register write made the queue stop, after every
    /// lock is released. Interrupts raised while it is null are counted and dropped.
    /// </summary>
    public Action? InterruptHandler { get; set; }

    /// <summary>Interrupts delivered to <see cref="InterruptHandler"/>.</summary>
    public long InterruptsRaised => Interlocked.Read(ref interruptsRaised);

    /// <summary>Interrupts raised with no handler installed.</summary>
    public long InterruptsDropped => Interlocked.Read(ref interruptsDropped);

    /// <summary>
    /// CMDQ_ALLOC writes ignored because they broke the ordering the hardware requires: logical
    /// VCMDQs of a VINTF are mapped in ascending lidx order and unmapped in descending order, and a
    /// (VINTF, lidx) slot holds one VCMDQ. (What the silicon does then is not documented; the model
    /// drops the write.)
    /// </summary>
    public long AllocationOrderViolations => Interlocked.Read(ref allocationOrderViolations);

    internal IDeviceMemory Memory { get; }

    /// <summary>What global VCMDQ <paramref name="vcmdq"/> consumed.</summary>
    public VcmdqStatistics QueueStatistics(int vcmdq) => vcmdqs[vcmdq].Statistics;

    /// <summary>True while VCMDQ <paramref name="vcmdq"/> is stopped on an error.</summary>
    public bool QueueInError(int vcmdq) => vcmdqs[vcmdq].InError;

    /// <summary>The global VCMDQ serving (VINTF, lidx), or -1 when that slot is not allocated.</summary>
    public int GlobalIndexOf(int vintf, int lidx) =>
        vintf < 0 || vintf >= vintfs.Length || lidx < 0 || lidx >= vcmdqs.Length ? -1 : Volatile.Read(ref logicalMap[(vintf * vcmdqs.Length) + lidx]);

    /// <summary>
    /// Whether VCMDQ <paramref name="vcmdq"/> may run now, and under which VINTF rules: the CMDQV is
    /// enabled, the queue is allocated to a VINTF, and that VINTF is enabled.
    /// </summary>
    internal QueueView ViewOf(int vcmdq)
    {
        var a = Volatile.Read(ref alloc[vcmdq]);
        if (!CmdqvConfig.CMDQV_EN.IsSet(Volatile.Read(ref config)) || !CmdqAlloc.ALLOCATED.IsSet(a))
        {
            return default;
        }

        var vintf = vintfs[(int)CmdqAlloc.VINTF.Get(a)];
        var c = vintf.Config;
        return VintfConfig.EN.IsSet(c)
            ? new QueueView(vintf, VintfConfig.HYP_OWN.IsSet(c), (ushort)VintfConfig.VMID.Get(c))
            : default;
    }

    /// <summary>
    /// Puts the CMDQV back in its reset state: CMDQV_EN = 0, no VCMDQ allocated, every VINTF disabled
    /// with its SID pairs cleared, every VCMDQ disabled and idle with no error, VINTF_INT_MASK = 0.
    /// The interrupt counters keep counting. The SMMU beside it is reset on its own
    /// (<see cref="SmmuDevice.Reset"/>).
    /// </summary>
    public void Reset()
    {
        lock (configGate)
        {
            Volatile.Write(ref config, 0);
            interruptMask = 0;
            Array.Clear(alloc);
            Array.Fill(logicalMap, -1);
        }

        foreach (var vintf in vintfs)
        {
            vintf.Reset();
        }

        foreach (var q in vcmdqs)
        {
            q.Reset();
        }
    }

    internal bool InterruptUnmasked(int vintf) => (Volatile.Read(ref interruptMask) & (1UL << vintf)) == 0;

    private void RaiseInterrupt()
    {
        if (InterruptHandler is { } handler)
        {
            Interlocked.Increment(ref interruptsRaised);
            handler();
        }
        else
        {
            Interlocked.Increment(ref interruptsDropped);
        }
    }

    /// <summary>A VCMDQ's VINTF and the VINTF's rules at the start of a consumption run; Vintf null means the queue may not run.</summary>
    internal readonly record struct QueueView(VirtualInterface? Vintf, bool HypOwn, ushort Vmid);
}
