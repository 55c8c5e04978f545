using System.Diagnostics;
using SmmuLab.Driver.Dma;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Platform;
using SmmuLab.Hardware.Memory;

namespace SmmuLab.Machines.Bench;

/// <summary>
/// Linux's dma_map_benchmark (single mode) on a simulated machine: a DMA domain through
/// <see cref="IommuDma"/> on one device, and N OS threads, thread i being CPU i, each looping
/// map (granule pages, one direction), optional busy wait, unmap, until the time is up. Each map
/// and unmap is timed with <see cref="Stopwatch"/> timestamps and added to the thread's running
/// sums in 100 ns units (<see cref="LatencyAccumulator"/>, no allocation in the loop); the sums are
/// merged when the threads have stopped.
/// </summary>
public static partial class DmaMapBenchmark
{
    /// <summary>Where thread i's buffer starts: 0x1_0000_0000 + i × 4 MiB (room for the largest granule).</summary>
    public const ulong BufferBase = 0x1_0000_0000;

    /// <summary>
    /// A machine with one SMMU (the model's default features: stage 1 and 2, RIL, ATS, MSI, SEV)
    /// and one device <c>dev0</c> (StreamID 0x10, no ATS); with <paramref name="cmdqv"/>, a
    /// Tegra241 CMDQV whose kernel VCMDQs are chosen by <see cref="BenchCpu"/>.
    /// </summary>
    public static (DriverMachine Machine, DeviceNode Device) DefaultMachine(Driver.Invalidation.IInvalidationDesign design, bool cmdqv = false)
    {
        var machine = new DriverMachine(design);
        try
        {
            machine.AddSmmu("smmu0");
            if (cmdqv)
            {
                machine.AttachCmdqv("smmu0", driverOptions: new Driver.Cmdqv.CmdqvDriverOptions { Name = "smmu0 cmdqv", CurrentCpu = BenchCpu.Reader });
            }

            return (machine, machine.AddDevice("dev0", "smmu0", [0x10]));
        }
        catch
        {
            machine.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Attaches <paramref name="device"/> to a new paging domain (stage 1 when its SMMU has it, else
    /// stage 2), sets up the DMA layer on it with a wall clock, runs the threads and tears the
    /// layer down (a lazy domain's queued unmaps are flushed). The device stays attached.
    /// </summary>
    /// <exception cref="ArgumentException">The options fail <see cref="DmaMapBenchmarkOptions.Problem"/>.</exception>
    public static DmaMapBenchmarkResult Run(DriverMachine machine, DeviceNode device, DmaMapBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var dma = SetUp(machine, device, options);
        var dmaDevice = dma.AddDevice(new DmaDeviceOptions { Name = device.Name, DmaMask = options.DmaMask });

        var before = CommandCounts.Take(machine, device.Smmu);
        IReadOnlyList<Worker> workers;
        TimeSpan elapsed;
        Exception? failed;
        var threads = new WorkerThreads(options.Threads, machine.Memory, dma, dmaDevice, options);
        try
        {
            elapsed = threads.Run(options.Threads, (long)(options.Duration.TotalSeconds * Stopwatch.Frequency));
            (workers, failed) = (threads.Workers, threads.Failure);
        }
        finally
        {
            threads.Dispose();
            dma.Close(flushQueued: true);
        }

        var after = CommandCounts.Take(machine, device.Smmu);
        if (failed is { } failure)
        {
            throw new InvalidOperationException($"a benchmark thread failed: {failure.Message}", failure);
        }

        var map = default(LatencyAccumulator);
        var unmap = default(LatencyAccumulator);
        var mapHistogram = new LatencyHistogram();
        var unmapHistogram = new LatencyHistogram();
        foreach (var w in workers)
        {
            map.Merge(w.Map);
            unmap.Merge(w.Unmap);
            mapHistogram.Merge(w.MapHistogram);
            unmapHistogram.Merge(w.UnmapHistogram);
        }

        return new DmaMapBenchmarkResult
        {
            Options = options,
            Design = machine.Iommu.Design.Name,
            Device = device.Name,
            Smmu = device.Smmu.Name,
            Elapsed = elapsed,
            ThreadLoops = [.. workers.Select(w => w.Map.Count)],
            Map = map,
            Unmap = unmap,
            MapHistogram = mapHistogram,
            UnmapHistogram = unmapHistogram,
            Commands = after.CommandsSince(before),
            CmdqCommands = after.CmdqSince(before),
            VcmdqCommands = after.VcmdqsSince(before),
            ModeledNanoseconds = after.ModeledNanoseconds - before.ModeledNanoseconds,
            Dma = dma.Snapshot(),
        };
    }

    /// <summary>The DMA domain and its DMA layer; a refusal of the driver becomes an <see cref="InvalidOperationException"/>.</summary>
    private static IommuDma SetUp(DriverMachine machine, DeviceNode device, DmaMapBenchmarkOptions options)
    {
        try
        {
            var kind = device.Smmu.Driver.Features.Stage1 ? DomainKind.S1 : DomainKind.S2;
            var domain = machine.Iommu.AllocPaging($"{device.Name}-dma", kind);
            device.Master.Attach(domain);
            return new IommuDma(domain, new IommuDmaOptions { CpuCount = options.Threads, Clock = new SystemDmaClock(), Type = options.Type });
        }
        catch (Exception e) when (e is DomainAttachException or IdAllocationException or DmaAllocationException or InvalidOperationException)
        {
            throw new InvalidOperationException($"cannot set up DMA for {device.Name}: {e.Message}", e);
        }
    }

    /// <summary>What the kernel's thread writes over its buffer before each map: 0x66 in every byte.</summary>
    public const ulong StainWord = 0x6666_6666_6666_6666;

    /// <summary>One benchmark thread: its CPU, buffer and running sums.</summary>
    private sealed class Worker(int cpu, SparsePhysicalMemory memory, IommuDma dma, DmaDevice device, DmaMapBenchmarkOptions options)
    {
        public LatencyAccumulator Map;
        public LatencyAccumulator Unmap;

        public LatencyHistogram MapHistogram { get; } = new();

        public LatencyHistogram UnmapHistogram { get; } = new();

        public Exception? Failure { get; private set; }

        public void Loop(long deadline)
        {
            BenchCpu.Set(cpu);
            var phys = BufferBase + ((ulong)cpu * DmaMapBenchmarkOptions.MaxGranule * DmaMapBenchmarkOptions.PageSize);
            var bytes = (ulong)options.Granule * DmaMapBenchmarkOptions.PageSize;
            var direction = options.Direction;
            var limit = options.MaxLoopsPerThread ?? long.MaxValue;
            var delayTicks = options.DmaTransNs * Stopwatch.Frequency / 1_000_000_000;
            try
            {
                // The buffer's pages, looked up once (pages are never dropped): the stain is a fill.
                var stained = direction == DmaDirection.FromDevice ? [] : BufferPages(phys, options.Granule);
                var now = Stopwatch.GetTimestamp();
                while (now < deadline && Map.Count < limit)
                {
                    // The kernel's thread stains its buffer with 0x66 before every map (but for
                    // FROM_DEVICE), outside the timed part: the CPU's own work in each loop.
                    foreach (var page in stained)
                    {
                        page.AsSpan().Fill(StainWord);
                    }

                    var t0 = Stopwatch.GetTimestamp();
                    var address = dma.MapPhys(device, cpu, phys, bytes, direction);
                    var t1 = Stopwatch.GetTimestamp();
                    if (address == IommuDma.MappingError)
                    {
                        // The kernel's thread ends with -ENOMEM; the failure is in the DMA counters.
                        break;
                    }

                    // Without a DMA delay nothing happens between the map's end and the unmap's
                    // start, so one clock read serves both (three reads per loop instead of four:
                    // a read costs tens of ns on a virtual machine, a tenth of a map).
                    var t2 = t1;
                    if (delayTicks > 0)
                    {
                        var until = t1 + delayTicks;
                        while (Stopwatch.GetTimestamp() < until)
                        {
                            Thread.SpinWait(1);
                        }

                        t2 = Stopwatch.GetTimestamp();
                    }

                    dma.UnmapPhys(device, cpu, address, bytes, direction);
                    var t3 = Stopwatch.GetTimestamp();
                    Map.AddTicks(t0, t1);
                    Unmap.AddTicks(t2, t3);
                    MapHistogram.AddTicks(t0, t1);
                    UnmapHistogram.AddTicks(t2, t3);
                    now = t3;
                }
            }
            catch (Exception e)
            {
                Failure = e;
            }
            finally
            {
                BenchCpu.Set(0);
            }
        }

        private ulong[][] BufferPages(ulong phys, int pages)
        {
            var words = new ulong[pages][];
            for (var i = 0; i < pages; i++)
            {
                words[i] = memory.PageWords(phys + ((ulong)i * DmaMapBenchmarkOptions.PageSize));
            }

            return words;
        }
    }
}
