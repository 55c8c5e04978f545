using System.Runtime.CompilerServices;
using SmmuLab.Driver.Dma;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Replay.Events;
using SmmuLab.Replay.Parsing;

namespace SmmuLab.Replay.Engine;

/// <summary>
/// Replays a Linux DMA-API/IOMMU trace through the driver and the SMMU model: each DMA-API event
/// drives the DMA layer (<see cref="IommuDma"/>) of its device's domain on the CPU the trace names,
/// at the trace's time; <c>iommu</c> map/unmap events are attributed (see
/// <see cref="IommuAttribution"/>) and either checked against the call holding them or applied on
/// their own. The input is streamed: memory grows only with the mappings live at once.
/// </summary>
public sealed partial class ReplayEngine : IDisposable, IIommuEventSink
{
    private readonly TraceEventReader events;
    private readonly ReplayOptions options;
    private readonly ReplayMachineSpec spec;
    private readonly string source;
    private readonly CostMeter meter = new();
    private readonly TraceClock clock = new();
    private readonly ReplayMachine machine;
    private readonly IommuAttribution attribution;
    private readonly ReplayCounters counters = new();
    private readonly ReplayProblems problems;
    private readonly List<string> devicesSeen = [];
    private readonly HashSet<string> devicesSeenSet = new(StringComparer.Ordinal);
    private readonly HashSet<string> attached = new(StringComparer.Ordinal);
    private string? lastAttached;
    private int cpuCount;
    private string cpuCountSource = "default";
    private TraceTimestamp first;
    private TraceTimestamp last;
    private long firstNs;
    private long lastNs;
    private TimeSpan clockNow;
    private ReplayDevice? lastDevice;
    private string? lastDeviceName;

    /// <summary>Sets up the machine; <see cref="Run()"/> then reads <paramref name="trace"/>.</summary>
    /// <exception cref="ArgumentException">Unknown design.</exception>
    /// <exception cref="ReplaySetupException">An SMMU of the machine could not be built.</exception>
    public ReplayEngine(TextReader trace, ReplayMachineSpec spec, ReplayOptions? options = null, string source = "trace")
        : this(new TraceParser(trace ?? throw new ArgumentNullException(nameof(trace)), options?.Parser), spec, options, source)
    {
    }

    /// <summary>Sets up the machine; <see cref="Run()"/> then reads <paramref name="trace"/>, UTF-8 bytes (a trace file), without decoding it to text first.</summary>
    /// <exception cref="ArgumentException">Unknown design.</exception>
    /// <exception cref="ReplaySetupException">An SMMU of the machine could not be built.</exception>
    public ReplayEngine(Stream trace, ReplayMachineSpec spec, ReplayOptions? options = null, string source = "trace")
        : this(new TraceParser(trace ?? throw new ArgumentNullException(nameof(trace)), options?.Parser), spec, options, source)
    {
    }

    private ReplayEngine(TraceParser parser, ReplayMachineSpec spec, ReplayOptions? options, string source)
    {
        ArgumentNullException.ThrowIfNull(spec);
        this.options = options ?? new ReplayOptions();
        this.spec = spec;
        this.source = source;
        var design = InvalidationDesigns.Create(this.options.Design);
        problems = new ReplayProblems(this.options.SamplesPerProblem);
        attribution = new IommuAttribution(this);
        var dma = new IommuDmaOptions
        {
            CpuCount = this.options.CpuCount ?? ReplayOptions.DefaultCpuCount,
            Clock = clock,
            Type = this.options.Mode == ReplayMode.Deferred ? DmaDomainType.DmaFq : DmaDomainType.Dma,
            PageAllocator = new ReplayPageAllocator(),
        };
        try
        {
            var added = this.options.SmmuAdded;
            var designName = this.options.Design;
            machine = new ReplayMachine(spec, design, meter, dma, added is null ? null : (name, device) => added(designName, name, device));
        }
        catch (Exception e) when (ReplayMachine.IsDriverRefusal(e))
        {
            throw new ReplaySetupException($"machine {spec.Name}: {e.Message}");
        }

        // Last: the parsing thread starts only once nothing can fail.
        events = new TraceEventReader(parser, this.options.ParseAhead ?? Environment.ProcessorCount > 1);
    }

    /// <summary>Replays the whole of <paramref name="trace"/> on <paramref name="spec"/>.</summary>
    public static ReplayReport Run(TextReader trace, ReplayMachineSpec spec, ReplayOptions? options = null, string source = "trace")
    {
        using var engine = new ReplayEngine(trace, spec, options, source);
        return engine.Run();
    }

    /// <summary>Replays the whole of <paramref name="trace"/> (UTF-8 bytes) on <paramref name="spec"/>.</summary>
    public static ReplayReport Run(Stream trace, ReplayMachineSpec spec, ReplayOptions? options = null, string source = "trace")
    {
        using var engine = new ReplayEngine(trace, spec, options, source);
        return engine.Run();
    }

    /// <summary>Reads and replays to the end of the input (or a read error), then reports.</summary>
    /// <exception cref="ReplayFailedException">The simulation failed on an event (not a problem of the trace).</exception>
    public ReplayReport Run()
    {
        string? readError = null;
        var started = false;
        while (true)
        {
            TraceEventSlot ev;
            try
            {
                if (!events.TryReadNext(out ev))
                {
                    break;
                }
            }
            catch (IOException e)
            {
                readError = e.Message;
                break;
            }

            if (!started)
            {
                Start();
                started = true;
            }

            var record = new EventLine(ev.LineNumber, ev.Context, ev.Kind);
            try
            {
                Replay(ev, record);
            }
            catch (Exception e) when (e is not ReplayFailedException)
            {
                throw new ReplayFailedException(record.LineNumber, e);
            }
        }

        attribution.Finish();
        var diag = events.Diagnostics;
        var end = readError is not null ? ReplayEnd.ReadError
            : diag.Count(Diagnostics.TraceProblem.TruncatedLine) > 0 ? ReplayEnd.Truncated
            : ReplayEnd.Complete;
        return new ReplayReport
        {
            Source = source,
            Machine = spec.Name,
            Design = options.Design,
            Mode = options.Mode,
            CpuCount = started ? cpuCount : machine.DmaOptions.CpuCount,
            CpuCountSource = cpuCountSource,
            Diagnostics = diag,
            Counters = counters,
            Problems = problems,
            CreatedDevices = [.. machine.Created],
            Devices = [.. devicesSeen],
            Notes = [.. machine.Notes],
            FirstTimestamp = first,
            LastTimestamp = last,
            CostByOperation = [.. meter.ByOperation],
            DmaDomains = [.. machine.Domains.Where(d => d.DmaOrNull is not null).Select(d => (d.Name, d.DmaOrNull!.Snapshot()))],
            End = end,
            ReadError = readError,
        };
    }

    public void Dispose()
    {
        events.Dispose();
        machine.Dispose();
    }

    /// <summary>Before the first event (the header has been read): the CPU count of the DMA layer.</summary>
    private void Start()
    {
        if (options.CpuCount is { } n)
        {
            cpuCountSource = "option";
            cpuCount = n;
        }
        else if (events.CpuCountAtFirstEvent is { } h)
        {
            cpuCountSource = "header";
            cpuCount = h;
        }
        else
        {
            cpuCount = ReplayOptions.DefaultCpuCount;
        }

        machine.DmaOptions = machine.DmaOptions with { CpuCount = cpuCount };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Replay(TraceEventSlot ev, in EventLine record)
    {
        var ctx = record.Context;
        if (record.Kind == TraceEventKind.LostEvents)
        {
            attribution.OnLost(ev.Lost.Cpu);
            return;
        }

        AdvanceClock(ctx.Timestamp);
        var context = IommuAttribution.ContextOf(ctx.Flags);
        switch (record.Kind)
        {
            case TraceEventKind.IommuMap:
                {
                    ref readonly var m = ref ev.IommuMap;
                    counters.IommuMaps++;
                    attribution.OnIommu(new PendingIommu(record.LineNumber, ctx.Cpu, ctx.Pid, context, true, m.Iova, m.Size, m.PhysAddress, 0, m.Device));
                    break;
                }

            case TraceEventKind.IommuUnmap:
                {
                    ref readonly var u = ref ev.IommuUnmap;
                    counters.IommuUnmaps++;
                    attribution.OnIommu(new PendingIommu(record.LineNumber, ctx.Cpu, ctx.Pid, context, false, u.Iova, u.Size, 0, u.UnmappedSize, u.Device));
                    break;
                }

            case TraceEventKind.DmaMapPage or TraceEventKind.DmaMapPhys or TraceEventKind.DmaMapResource:
                OnMap(record, ev.DmaMap, context);
                break;
            case TraceEventKind.DmaUnmapPage or TraceEventKind.DmaUnmapPhys or TraceEventKind.DmaUnmapResource:
                OnUnmap(record, ev.DmaUnmap, context);
                break;
            case TraceEventKind.DmaMapSg:
                OnMapSg(record, ev.DmaMapSg, context);
                break;
            case TraceEventKind.DmaUnmapSg:
                OnUnmapSg(record, ev.DmaUnmapSg, context);
                break;
            case TraceEventKind.DmaAlloc or TraceEventKind.DmaAllocPages or TraceEventKind.DmaAllocSgtError:
                {
                    ref readonly var e = ref ev.DmaAlloc;
                    OnAlloc(record, e.Kind, e.Device, e.DmaAddress, e.Size, e.Attrs, e.IsFailure, context);
                    break;
                }

            case TraceEventKind.DmaAllocSgt:
                {
                    ref readonly var e = ref ev.DmaAllocSgt;
                    OnAlloc(record, e.Kind, e.Device, e.DmaAddress, e.Size, e.Attrs, failed: false, context);
                    break;
                }

            case TraceEventKind.DmaFree or TraceEventKind.DmaFreePages:
                {
                    ref readonly var e = ref ev.DmaFree;
                    OnFree(record, e.Device, e.DmaAddress, e.Size, e.IsNoOp, context);
                    break;
                }

            case TraceEventKind.DmaFreeSgt:
                {
                    ref readonly var e = ref ev.DmaFreeSgt;
                    OnFree(record, e.Device, e.DmaAddress, e.Size, noOp: false, context);
                    break;
                }

            case TraceEventKind.DmaMapSgError:
                counters.FailedInTrace++;
                attribution.OnCallAfter(ctx.Cpu, ctx.Pid, context, Device(ev.DmaMapSgError.Device), isMap: true, 0, 0, anyRange: true);
                break;
            case TraceEventKind.DmaSyncSingleForCpu or TraceEventKind.DmaSyncSingleForDevice
                or TraceEventKind.DmaSyncSgForCpu or TraceEventKind.DmaSyncSgForDevice:
                counters.Syncs++;
                attribution.OnOther(ctx.Cpu, ctx.Pid, context);
                break;
            case TraceEventKind.IommuAttachDeviceToDomain or TraceEventKind.IommuDetachDeviceFromDomain:
                OnAttachOrDetach(ev.IommuDevice);
                attribution.OnOther(ctx.Cpu, ctx.Pid, context);
                break;
            case TraceEventKind.IommuAddDeviceToGroup or TraceEventKind.IommuRemoveDeviceFromGroup:
                counters.GroupEvents++;
                attribution.OnOther(ctx.Cpu, ctx.Pid, context);
                break;
            case TraceEventKind.IommuPageFault:
                counters.PageFaults++;
                attribution.OnOther(ctx.Cpu, ctx.Pid, context);
                break;
        }
    }

    private void OnAttachOrDetach(IommuDeviceEvent e)
    {
        if (e.Kind == TraceEventKind.IommuDetachDeviceFromDomain)
        {
            counters.Detaches++;
            return;
        }

        counters.Attaches++;
        Device(e.Device);
        attached.Add(e.Device);
        lastAttached = e.Device;
    }

    /// <summary>Moves the simulated clock to the event's time (from the first event's), firing the timers that fall due.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AdvanceClock(TraceTimestamp t)
    {
        if (t.Unit == TimestampUnit.None)
        {
            return;
        }

        var ns = ReplayReport.ToNanoseconds(t);
        if (first.Unit == TimestampUnit.None)
        {
            first = last = t;
            firstNs = lastNs = ns;
            return;
        }

        if (ns <= lastNs)
        {
            if (ns < lastNs)
            {
                counters.TimestampsBackwards++;
            }

            return;
        }

        last = t;
        lastNs = ns;
        var target = TimeSpan.FromTicks((ns - firstNs) / TimeSpan.NanosecondsPerTick);
        if (target > clockNow)
        {
            clockNow = target;
            var fired = clock.Fired;
            clock.AdvanceTo(target);
            if (clock.Fired != fired)
            {
                meter.Charge(ReplayOperation.Timer);
            }
        }
    }

    /// <summary>The trace's device, created when the machine lacks it; the last one is cached (traces run long on one device).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReplayDevice Device(string name)
    {
        if (lastDevice is { } d && ReferenceEquals(lastDeviceName, name))
        {
            return d;
        }

        d = machine.Device(name);
        if (devicesSeenSet.Add(name))
        {
            devicesSeen.Add(name);
        }

        lastDevice = d;
        lastDeviceName = name;
        return d;
    }

    /// <summary>The CPU given to the DMA layer: the trace's, folded when beyond the CPU count.</summary>
    private int DmaCpu(int cpu)
    {
        if ((uint)cpu < (uint)cpuCount)
        {
            return cpu;
        }

        counters.FoldedCpuEvents++;
        return (int)((uint)cpu % (uint)cpuCount);
    }
}
