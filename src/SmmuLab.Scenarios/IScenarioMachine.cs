using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Scenarios;

/// <summary>
/// What a scenario runs on: a machine of SMMU models with endpoints, driven by the driver. The
/// scenario runner validates the file, then calls these in order; each call either completes or
/// throws <see cref="ScenarioStepException"/> with a message a user can act on.
/// </summary>
public interface IScenarioMachine : IDisposable
{
    /// <summary>
    /// Raised by <see cref="AddSmmu"/> with the SMMU model and its spec after the model is
    /// built and before the driver probes it, so that a trace sees the probe's commands (step -1).
    /// The default implementation never raises it: a machine that does not implement it loses
    /// only the probe from traces.
    /// </summary>
    event Action<SmmuDevice, SmmuSpec>? SmmuBuilt
    {
        add { }
        remove { }
    }

    /// <summary>
    /// Raised for every page of DMA that reaches memory (<see cref="Hardware.Observation.ISmmuObserver.DmaAccessed"/>
    /// of every device's SMMU), on the DMA's thread, from several DMA threads at once when they run (a TLB hit is
    /// made without the SMMU's lock), but always before a CMD_SYNC that could have removed its translation completes;
    /// the stale-translation oracle judges these. Handlers must be thread-safe.
    /// The default implementation never raises it: the oracle then checks nothing.
    /// </summary>
    event Action<DmaAccess>? DmaAccessed
    {
        add { }
        remove { }
    }

    /// <summary>
    /// Builds an SMMU model and probes the driver on it. <see cref="ScenarioFeatures.ToDeviceOptions"/>
    /// turns the spec into the model's options (features, product, mode, TLB size).
    /// </summary>
    SmmuDevice AddSmmu(SmmuSpec spec);

    /// <summary>
    /// The RAM of the VM whose stage 2 is nest-parent domain <paramref name="parent"/>: the IPA window
    /// the machine mapped into that parent itself (to PA), or null (the default) when there is none.
    /// </summary>
    (ulong Ipa, ulong Pa, ulong Size)? GuestMemory(string parent) => null;

    /// <summary>
    /// The Tegra241 CMDQV beside SMMU <paramref name="smmu"/>, whose VCMDQs' commands the report adds
    /// to the SMMU's; null (the default) when there is none.
    /// </summary>
    Hardware.Cmdqv.Tegra241Cmdqv? Cmdqv(string smmu) => null;

    /// <summary>Extra lines for the end of the report (for example per-queue counters of a CMDQV); none by default.</summary>
    IReadOnlyList<string> ReportLines() => [];

    /// <summary>Adds a PCIe function behind an SMMU and registers it with the driver as a master.</summary>
    void AddDevice(DeviceSpec spec);

    /// <summary>Allocates a domain (not yet attached; S1/S2 domains are finalised on first attach, as Linux does).</summary>
    void AddDomain(DomainSpec spec);

    /// <summary>Attaches a device (its RID, or one PASID) to a domain.</summary>
    void Attach(string device, string domain, uint? pasid);

    /// <summary>Detaches a device (RID: to the blocked domain) or removes one PASID.</summary>
    void Detach(string device, uint? pasid);

    void Map(string domain, ulong iova, ulong pa, ulong size, bool writable);

    void Unmap(string domain, ulong iova, ulong size);

    /// <summary>Invalidates everything the domain may have cached (iommu flush_iotlb_all).</summary>
    void Flush(string domain);

    /// <summary>A DMA by a device; returns whether every byte went through.</summary>
    DmaOutcome Dma(string device, ulong iova, ulong size, bool write, uint? pasid);

    /// <summary>Simulated time passes: the DMA layer's timers that fall due fire (flush-queue timeouts).</summary>
    void Wait(TimeSpan time) => throw new ScenarioStepException("this machine has no simulated clock to wait on");

    /// <summary>
    /// Runs generated DMA-API work by <paramref name="device"/> through the domain its RID is attached
    /// to. <paramref name="stop"/> ends it early (the result says so); <paramref name="progress"/> gets
    /// running totals of buffers done, from the workload's threads.
    /// </summary>
    Machines.Workloads.WorkloadResult Workload(string device, Machines.Workloads.WorkloadSpec spec, CancellationToken stop, Action<long>? progress) =>
        throw new ScenarioStepException("this machine does not run workloads");

    /// <summary>
    /// From now on tell <paramref name="listener"/> what the DMA layer and the flush queues of
    /// <paramref name="domain"/> do (workload mappings, lazy unmaps, deferred flushes). A machine
    /// without a DMA layer ignores it.
    /// </summary>
    void ListenToDomain(string domain, Driver.Dma.IDmaMappingListener listener)
    {
    }
}

/// <summary>
/// An [[smmu]] table. The positional part is the required keys; the optional keys are init-only
/// properties, null when the file leaves them out (see <see cref="ScenarioFeatures"/> for defaults).
/// </summary>
public sealed record SmmuSpec(string Name, IReadOnlyList<string> Features, string Product, int Line)
{
    /// <summary><c>oas</c>: output address size in bits (32, 36, 40, 42, 44, 48, 52).</summary>
    public int? OutputAddressBits { get; init; }

    /// <summary><c>sid-bits</c>: IDR1.SIDSIZE.</summary>
    public int? StreamIdBits { get; init; }

    /// <summary><c>ssid-bits</c>: IDR1.SSIDSIZE (0 disables PASIDs).</summary>
    public int? SubstreamIdBits { get; init; }

    /// <summary><c>tlb-entries</c>: TLB capacity.</summary>
    public int? TlbEntries { get; init; }

    /// <summary><c>cmdqv</c>: an NVIDIA Tegra241 CMDQV beside the SMMU; the kernel then sends commands through per-CPU VCMDQs.</summary>
    public bool Cmdqv { get; init; }

    /// <summary><c>mode</c>: "inline" or "free-running" command consumption; null means inline.</summary>
    public string? Mode { get; init; }

    /// <summary>
    /// <c>reserved-fields</c>: "error" (a command with a reserved bit set is CERROR_ILL) or "ignore"
    /// (executed with the bits ignored, and counted); null means "error" (IHI0070 4.1.5).
    /// </summary>
    public string? ReservedFields { get; init; }

    /// <summary>
    /// <c>wired-interrupts</c>: whether the SMMU has wired interrupt lines beside any MSIs (3.18);
    /// null means true. False needs the <c>msi</c> feature.
    /// </summary>
    public bool? WiredInterrupts { get; init; }

    /// <summary>
    /// The scenario's top-level <c>range-fallback</c>: the driver replaces range TLBIs it cannot
    /// express by whole-ASID/VMID ones (<see cref="Driver.Probe.DriverOptions.RangeFallback"/>).
    /// </summary>
    public bool RangeFallback { get; init; }
}

/// <summary>A [[device]] table.</summary>
public sealed record DeviceSpec(string Name, string Smmu, IReadOnlyList<uint> Sids, bool Ats, int Line);

/// <summary>
/// A [[domain]] table; Kind is s1 | s2 | nest-parent | nested | sva | identity | blocked. A nested
/// domain has its guest ASID in <see cref="Asid"/>, its nesting parent in <see cref="Parent"/>
/// and the parent's SMMU in <see cref="Smmu"/>.
/// </summary>
public sealed record DomainSpec(string Name, string Kind, ushort? Asid, ushort? Vmid, string? Smmu, int Line)
{
    /// <summary>
    /// <c>strict</c>: false makes the domain lazy (Linux DMA-FQ, non-strict mode): unmaps clear the
    /// page table and queue the IOVA on a flush queue instead of invalidating at once.
    /// </summary>
    public bool Strict { get; init; } = true;

    /// <summary><c>parent</c>: the nest-parent domain a nested domain sits on; null for other kinds.</summary>
    public string? Parent { get; init; }
}

/// <summary>
/// The outcome of a dma step: <paramref name="Fault"/> is the event type of the fault that stopped it,
/// or "aborted" when there was none; <see cref="Reason"/> and <see cref="Detail"/> say why.
/// </summary>
public sealed record DmaOutcome(bool Ok, ulong Bytes, string? Fault)
{
    /// <summary>Why it stopped, as a code (<see cref="Machines.DmaFailureText.Reasons"/>: <c>event</c>, <c>ste_abort</c>, <c>ats_refused</c>, <c>not_backed</c>, ...); null when it did not or the machine cannot tell.</summary>
    public string? Reason { get; init; }

    /// <summary>Why it stopped, as a phrase with the address (<c>STE abort at 0x10000: STE.Config = abort, no event</c>); null when it did not or the machine cannot tell.</summary>
    public string? Detail { get; init; }
}

/// <summary>A step that could not be carried out, with the reason.</summary>
public sealed class ScenarioStepException(string message) : Exception(message);
