using SmmuLab.Driver.Dma;
using SmmuLab.Hardware.Pcie;

namespace SmmuLab.Machines.Workloads;

/// <summary>One thread's share of a workload: its buffers, its size draws, its counters.</summary>
internal sealed class WorkloadThread
{
    private readonly long quota;
    private readonly IommuDma dma;
    private readonly DmaDevice device;
    private readonly Endpoint endpoint;
    private readonly WorkloadSpec spec;
    private readonly ulong area;
    private readonly ManualDmaClock? clock;
    private readonly TimeSpan start;
    private readonly WorkloadEngine.SharedProgress progress;
    private readonly CancellationToken stop;
    private readonly byte[] data;
    private readonly ulong[] sizes;
    private readonly ulong[] cumulativeWeights;
    private readonly ulong[] addresses;
    private readonly ulong[] lengths;
    private readonly ScatterlistEntry[] list;
    private readonly DmaSegment[] segments;
    private readonly bool deviceReads;
    private ulong random;
    private long sinceReport;

    public WorkloadThread(int cpu, long quota, IommuDma dma, DmaDevice device, Endpoint endpoint, WorkloadSpec spec, ulong area,
        ManualDmaClock? clock, TimeSpan start, WorkloadEngine.SharedProgress progress, CancellationToken stop)
    {
        Cpu = cpu;
        this.quota = quota;
        this.dma = dma;
        this.device = device;
        this.endpoint = endpoint;
        this.spec = spec;
        this.area = area;
        this.clock = clock;
        this.start = start;
        this.progress = progress;
        this.stop = stop;
        data = new byte[spec.MaxSize];
        sizes = [.. spec.Sizes];
        cumulativeWeights = new ulong[sizes.Length];
        var sum = 0UL;
        for (var i = 0; i < sizes.Length; i++)
        {
            sum += spec.Weights?[i] ?? 1;
            cumulativeWeights[i] = sum;
        }

        var batch = spec.Pattern == WorkloadPattern.MapDmaUnmap ? 1 : spec.Batch;
        addresses = new ulong[batch];
        lengths = new ulong[batch];
        list = spec.Pattern == WorkloadPattern.ScatterGather ? new ScatterlistEntry[batch] : [];
        segments = spec.Pattern == WorkloadPattern.ScatterGather ? new DmaSegment[batch] : [];
        deviceReads = spec.Direction == DmaDirection.ToDevice;

        // splitmix64 seeding of an xorshift64* generator: deterministic per (seed, cpu).
        var z = (ulong)(spec.Seed + cpu) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        random = (z ^ (z >> 31)) | 1;
    }

    public int Cpu { get; }

    public Exception? Failure { get; set; }

    public long Attempted { get; private set; }

    public long Buffers { get; private set; }

    public long MapCalls { get; private set; }

    public long UnmapCalls { get; private set; }

    public long MapFailures { get; private set; }

    public long DmaFaults { get; private set; }

    public string? FirstFault { get; private set; }

    public ulong BytesTransferred { get; private set; }

    public void Run()
    {
        try
        {
            while (Attempted < quota && !stop.IsCancellationRequested)
            {
                var n = (int)Math.Min(addresses.Length, quota - Attempted);
                for (var i = 0; i < n; i++)
                {
                    lengths[i] = NextSize();
                }

                switch (spec.Pattern)
                {
                    case WorkloadPattern.ScatterGather:
                        ScatterGather(n);
                        break;
                    default:
                        MapEach(n);
                        break;
                }

                Attempted += n;
                if (clock is not null)
                {
                    clock.AdvanceTo(start + (spec.Interval * Attempted));
                }

                sinceReport += n;
                if (sinceReport >= WorkloadEngine.ProgressStride)
                {
                    progress.Add(sinceReport);
                    sinceReport = 0;
                }
            }
        }
        finally
        {
            progress.Add(sinceReport);
            sinceReport = 0;
        }
    }

    /// <summary>Map n buffers one call each, DMA each, unmap them in the order mapped.</summary>
    private void MapEach(int n)
    {
        var mapped = 0;
        for (var i = 0; i < n; i++)
        {
            MapCalls++;
            var address = dma.MapPhys(device, Cpu, area + ((ulong)i * spec.MaxSize), lengths[i], spec.Direction);
            if (address == IommuDma.MappingError)
            {
                MapFailures++;
                continue;
            }

            addresses[mapped] = address;
            lengths[mapped++] = lengths[i];
            Transfer(address, lengths[i]);
        }

        for (var i = 0; i < mapped; i++)
        {
            dma.UnmapPhys(device, Cpu, addresses[i], lengths[i], spec.Direction);
            UnmapCalls++;
        }

        Buffers += mapped;
    }

    /// <summary>One scatter-gather list of n buffers: map, DMA each resulting segment, unmap.</summary>
    private void ScatterGather(int n)
    {
        for (var i = 0; i < n; i++)
        {
            list[i] = new ScatterlistEntry(area + ((ulong)i * spec.MaxSize), (uint)lengths[i]);
        }

        MapCalls++;
        var count = dma.MapSg(device, Cpu, list.AsSpan(0, n), segments.AsSpan(0, n), spec.Direction);
        if (count <= 0)
        {
            MapFailures++;
            return;
        }

        for (var i = 0; i < count; i++)
        {
            Transfer(segments[i].Address, segments[i].Length);
        }

        dma.UnmapSg(device, Cpu, segments.AsSpan(0, count), spec.Direction);
        UnmapCalls++;
        Buffers += n;
    }

    /// <summary>The device moves the buffer through the SMMU: it reads memory for to-device, writes it otherwise.</summary>
    private void Transfer(ulong address, ulong length)
    {
        var remaining = length;
        while (remaining > 0)
        {
            var chunk = (int)Math.Min(remaining, (ulong)data.Length);
            var span = data.AsSpan(0, chunk);
            var r = deviceReads ? endpoint.Read(address, span) : endpoint.Write(address, span);
            BytesTransferred += r.BytesTransferred;
            if (!r.Ok)
            {
                DmaFaults++;
                FirstFault ??= $"{(deviceReads ? "read" : "write")}: {DmaFailureText.Describe(r, !deviceReads) ?? "aborted"}";
                return;
            }

            address += (ulong)chunk;
            remaining -= (ulong)chunk;
        }
    }

    private ulong NextSize()
    {
        if (sizes.Length == 1)
        {
            return sizes[0];
        }

        random ^= random >> 12;
        random ^= random << 25;
        random ^= random >> 27;
        var draw = (random * 0x2545F4914F6CDD1DUL) % cumulativeWeights[^1];
        var i = 0;
        while (cumulativeWeights[i] <= draw)
        {
            i++;
        }

        return sizes[i];
    }
}
