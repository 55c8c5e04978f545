using SmmuLab.Driver.Dma;
using SmmuLab.Driver.Domains;
using SmmuLab.Machines.Workloads;

namespace SmmuLab.Scenarios;

/// <summary>The DMA layer of a scenario machine: its clock, lazy domains, and generated workloads.</summary>
public sealed partial class DriverScenarioMachine
{
    private readonly HashSet<string> lazyDomains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> ridDomains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IDmaMappingListener> listeners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ScenarioFlushQueue> flushQueues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IommuDma> dmaLayers = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Domain, string Device), DmaDevice> dmaDevices = [];

    /// <summary>
    /// The simulated time of the DMA layer: flush-queue timeouts and range-cache trimming. It moves
    /// only on <c>wait</c> steps and with workloads that give an interval.
    /// </summary>
    public ManualDmaClock Clock { get; } = new();

    public void Wait(TimeSpan time) => Clock.Advance(time);

    public void ListenToDomain(string domain, IDmaMappingListener listener) => listeners[domain] = listener;

    /// <summary>The DMA layer of <paramref name="domain"/>, once a workload used it (for reports and tests).</summary>
    public IommuDma? DmaLayer(string domain) => dmaLayers.GetValueOrDefault(domain);

    /// <summary>The flush queue of <paramref name="domain"/>'s lazy unmap steps, once one was queued.</summary>
    public FlushQueue? UnmapFlushQueue(string domain) => flushQueues.GetValueOrDefault(domain)?.Queue;

    public WorkloadResult Workload(string device, WorkloadSpec spec, CancellationToken stop, Action<long>? progress)
    {
        var node = machine.Device(device);
        if (!ridDomains.TryGetValue(device, out var domainName) || Domain(domainName) is not PagingDomain paging)
        {
            throw new ScenarioStepException($"device {device} is not attached to an s1 or s2 domain: a workload maps through the DMA API of its domain");
        }

        var layer = DmaLayerFor(domainName, paging);
        if (!dmaDevices.TryGetValue((domainName, device), out var dmaDevice))
        {
            dmaDevice = layer.AddDevice(new DmaDeviceOptions { Name = device, DmaMask = ulong.MaxValue, CoherentDmaMask = ulong.MaxValue });
            dmaDevices.Add((domainName, device), dmaDevice);
        }

        var bufferBase = (machine.Map.BufferRegion.End - (spec.BytesPerThread * (ulong)spec.Threads)) & ~0xFFFUL;
        return WorkloadEngine.Run(layer, dmaDevice, node.Endpoint, spec, bufferBase, stop, progress);
    }

    private IommuDma DmaLayerFor(string name, PagingDomain domain)
    {
        if (!dmaLayers.TryGetValue(name, out var layer))
        {
            layer = Guard(() => new IommuDma(domain, new IommuDmaOptions
            {
                CpuCount = WorkloadSpec.MaxThreads,
                Clock = Clock,
                Type = lazyDomains.Contains(name) ? DmaDomainType.DmaFq : DmaDomainType.Dma,
                Listener = listeners.GetValueOrDefault(name),
            }));
            dmaLayers.Add(name, layer);
        }

        return layer;
    }

    private void RefuseQueued(string domain, ulong iova, ulong size)
    {
        if (flushQueues.TryGetValue(domain, out var fq) && fq.Overlap(iova, size) is { } queued)
        {
            throw new ScenarioStepException(
                $"IOVA 0x{queued.Iova:x}+0x{queued.Size:x} of lazy domain {domain} was unmapped but is still on its flush queue; " +
                $"it can be mapped again after the queue's flush (a full ring, or a wait of {Workloads.WorkloadText.Duration(fq.Queue.Options.Timeout)})");
        }
    }

    private void UnmapLazily(string name, PagingDomain domain, ulong iova, ulong size)
    {
        if (!flushQueues.TryGetValue(name, out var fq))
        {
            fq = new ScenarioFlushQueue(domain, domain.Owner!.Platform.Allocator, Clock, () => listeners.GetValueOrDefault(name));
            flushQueues.Add(name, fq);
        }

        fq.Unmap(iova, size);
    }

    /// <summary>Tears the DMA layers and flush queues down, as Linux does when a domain goes away (no final flush).</summary>
    private void CloseDmaLayers()
    {
        foreach (var layer in dmaLayers.Values)
        {
            layer.Dispose();
        }

        foreach (var fq in flushQueues.Values)
        {
            fq.Dispose();
        }

        dmaLayers.Clear();
        flushQueues.Clear();
    }
}
