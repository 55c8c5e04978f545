using SmmuLab.Driver.Dma;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd.Dma;

/// <summary>Several CPUs mapping and unmapping at once, with the simulated clock and with real timers.</summary>
public sealed class IommuDmaConcurrencyTests
{
    private const ulong Buffer = 0x1_0000_0000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Concurrent_CPUs_map_and_unmap_and_every_IOVA_is_accounted_for(bool flushUntilRoom)
    {
        using var t = new DmaTestMachine(DmaDomainType.DmaFq, cpus: 4, queue: FlushQueueOptions.PerCpu with { FlushUntilRoom = flushUntilRoom });
        Parallel.For(0, 4, cpu => Loop(t.Dma, t.Device, cpu, 500));

        // Whatever the interleaving, the timer empties the rings; entries are freed or (Linux's
        // overrun, when a ring filled while an older flush ran) lost.
        t.Clock.Advance(TimeSpan.FromMilliseconds(10));
        var s = t.Dma.Snapshot();
        Assert.Equal((2000L, 2000L, 0L), (s.Maps, s.Unmaps, s.QueueDepth));
        Assert.Equal(2000L, s.EntriesFreed + s.EntriesLost);
        if (flushUntilRoom)
        {
            Assert.Equal(0L, s.EntriesLost);
        }

        Assert.Equal(t.Dma.Iovad.CachedFramesTotal() + s.EntriesLost + 1, t.Dma.Iovad.TreeCount);
        t.Dma.Iovad.Validate();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void With_real_timers_every_IOVA_is_freed_cached_or_counted_as_lost(bool flushUntilRoom)
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        m.AddSmmu("smmu0");
        var node = m.AddDevice("nic", "smmu0", [0x20], ats: true);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1);
        node.Master.Attach(dom);
        var dma = new IommuDma(dom, new IommuDmaOptions
        {
            CpuCount = 4,
            Clock = new SystemDmaClock(),
            Type = DmaDomainType.DmaFq,
            FlushQueue = FlushQueueOptions.PerCpu with { FlushUntilRoom = flushUntilRoom },
        });
        var dev = dma.AddDevice(new DmaDeviceOptions { DmaMask = ulong.MaxValue });
        var threads = Enumerable.Range(0, 4).Select(cpu => new Thread(() => Loop(dma, dev, cpu, 2000))).ToArray();
        Array.ForEach(threads, th => th.Start());
        Array.ForEach(threads, th => th.Join());

        dma.Close(flushQueued: true);
        var s = dma.Snapshot();
        Assert.Equal((8000L, 8000L, 0L), (s.Maps, s.EntriesQueued, s.QueueDepth));
        Assert.Equal(8000L, s.EntriesFreed + s.EntriesLost);
        if (flushUntilRoom)
        {
            Assert.Equal(0L, s.EntriesLost);
        }

        // What is left in the tree is what the range caches hold plus the lost entries' IOVAs.
        Assert.Equal(dma.Iovad.CachedFramesTotal() + s.EntriesLost + 1, dma.Iovad.TreeCount);
        dma.Iovad.Validate();
    }

    private static void Loop(IommuDma dma, DmaDevice dev, int cpu, int n)
    {
        for (var i = 0; i < n; i++)
        {
            var size = (ulong)(1 + (i % 5)) * 0x1000;
            var a = dma.MapPhys(dev, cpu, Buffer + ((ulong)cpu << 24), size, DmaDirection.Bidirectional);
            Assert.NotEqual(IommuDma.MappingError, a);
            dma.UnmapPhys(dev, cpu, a, size, DmaDirection.Bidirectional);
        }
    }
}
