using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Dma;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Machines.Bench;

namespace SmmuLab.Machines.Tests.Bench;

/// <summary>
/// The benchmark engine on the default machine (one SMMU with RIL, one device behind stage 1):
/// loop counts, the commands each map+unmap costs, and the CPU numbers of the threads.
/// </summary>
public class DmaMapBenchmarkTests
{
    /// <summary>Long enough that the loop limit, not the clock, ends a run.</summary>
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static DmaMapBenchmarkResult Run(DmaMapBenchmarkOptions options, string design = InvalidationDesigns.Linux, bool cmdqv = false)
    {
        var (machine, device) = DmaMapBenchmark.DefaultMachine(InvalidationDesigns.Create(design), cmdqv);
        using (machine)
        {
            return DmaMapBenchmark.Run(machine, device, options);
        }
    }

    [Theory]
    [InlineData(InvalidationDesigns.Linux)]
    [InlineData(InvalidationDesigns.Legacy)]
    public void Strict_unmap_costs_one_range_TLBI_and_one_sync_and_map_costs_nothing(string design)
    {
        // Hand-derived: a strict unmap of one page gathers one leaf, so one CMD_TLBI_NH_VA
        // (ASID, range) and one CMD_SYNC; a map into an empty range needs no invalidation.
        var r = Run(new DmaMapBenchmarkOptions { Duration = Long, MaxLoopsPerThread = 500 }, design);
        Assert.Equal(design, r.Design);
        Assert.Equal(500, r.Loops);
        Assert.Equal(500, r.Map.Count);
        Assert.Equal(500, r.Unmap.Count);
        Assert.Equal([(Opcode.CMD_TLBI_NH_VA, 500L), (Opcode.CMD_SYNC, 500L)], r.Commands);
        Assert.Equal(1.0, r.SyncsPerLoop);
        Assert.Equal(2.0, r.CommandsPerLoop);
        Assert.Equal(DmaDomainType.Dma, r.Dma.Type);
        Assert.Equal(500, r.Dma.StrictUnmaps);
        Assert.Equal(0, r.Dma.Flushes);
        Assert.True(r.ModeledNanosecondsPerLoop > 0);
        Assert.Null(r.VcmdqCommands);
    }

    [Theory]
    [InlineData(DmaDirection.Bidirectional, true)]
    [InlineData(DmaDirection.ToDevice, true)]
    [InlineData(DmaDirection.FromDevice, false)]
    public void Each_thread_stains_its_whole_buffer_with_0x66_unless_the_device_only_writes(DmaDirection direction, bool stained)
    {
        // The kernel's thread memsets its buffer with 0x66 before every map, except FROM_DEVICE.
        var (machine, device) = DmaMapBenchmark.DefaultMachine(InvalidationDesigns.Create(InvalidationDesigns.Linux));
        using (machine)
        {
            DmaMapBenchmark.Run(machine, device, new DmaMapBenchmarkOptions { Duration = Long, MaxLoopsPerThread = 3, Threads = 2, Granule = 2, Direction = direction });
            for (var cpu = 0UL; cpu < 2; cpu++)
            {
                var buffer = DmaMapBenchmark.BufferBase + (cpu * DmaMapBenchmarkOptions.MaxGranule * DmaMapBenchmarkOptions.PageSize);
                var expected = stained ? DmaMapBenchmark.StainWord : 0;
                Assert.All(new[] { buffer, buffer + 0x1FF8 }, pa => Assert.Equal(expected, machine.Memory.Read64(pa)));
                Assert.Equal(0UL, machine.Memory.Read64(buffer + 0x2000)); // the granule ends there
            }
        }
    }

    [Fact]
    public void A_granule_of_sixteen_pages_is_still_one_range_TLBI_with_RIL()
    {
        var r = Run(new DmaMapBenchmarkOptions { Duration = Long, MaxLoopsPerThread = 200, Granule = 16, Direction = DmaDirection.ToDevice });
        Assert.Equal([(Opcode.CMD_TLBI_NH_VA, 200L), (Opcode.CMD_SYNC, 200L)], r.Commands);
    }

    [Fact]
    public void Deferred_unmaps_flush_once_per_full_ring_and_teardown_frees_everything()
    {
        // One CPU's ring holds 255 entries: 1000 unmaps fill it three times (three whole-ASID
        // flushes), unless the 10 ms timer flushed first; the teardown flushes what is left.
        var r = Run(new DmaMapBenchmarkOptions { Duration = Long, MaxLoopsPerThread = 1000, Type = DmaDomainType.DmaFq });
        Assert.Equal(DmaDomainType.DmaFq, r.Dma.Type);
        Assert.Equal(1000, r.Dma.DeferredUnmaps);
        Assert.InRange(r.Dma.Flushes, 4, 300);
        Assert.Equal(r.Dma.Flushes, r.Syncs);
        Assert.Equal(r.Dma.Flushes, r.CommandCount(Opcode.CMD_TLBI_NH_ASID));
        Assert.Equal(0, r.CommandCount(Opcode.CMD_TLBI_NH_VA));
        Assert.True(r.SyncsPerLoop < 0.1, $"{r.SyncsPerLoop} CMD_SYNC per map+unmap");
        Assert.Equal(r.Dma.EntriesQueued, r.Dma.EntriesFreed);
    }

    [Fact]
    public void Deferred_gives_far_fewer_syncs_than_strict()
    {
        var strict = Run(new DmaMapBenchmarkOptions { Duration = Long, MaxLoopsPerThread = 2000 });
        var deferred = Run(new DmaMapBenchmarkOptions { Duration = Long, MaxLoopsPerThread = 2000, Type = DmaDomainType.DmaFq });
        Assert.True(deferred.SyncsPerLoop * 20 < strict.SyncsPerLoop, $"deferred {deferred.SyncsPerLoop}, strict {strict.SyncsPerLoop}");
        Assert.True(deferred.ModeledNanosecondsPerLoop < strict.ModeledNanosecondsPerLoop);
    }

    [Fact]
    public void Two_threads_use_two_CPUs_and_so_two_VCMDQs()
    {
        var r = Run(new DmaMapBenchmarkOptions { Threads = 2, Duration = Long, MaxLoopsPerThread = 300 }, cmdqv: true);
        Assert.Equal([300L, 300L], r.ThreadLoops);
        Assert.NotNull(r.VcmdqCommands);
        var used = r.VcmdqCommands.Where(n => n != 0).ToList();
        Assert.Equal([600L, 600L], used);
        Assert.Equal(0, r.CmdqCommands);
        Assert.Equal(600, r.Syncs);
    }

    [Fact]
    public void Two_threads_use_two_CPUs_of_the_DMA_layer()
    {
        // Each CPU frees into its own range cache, so each thread's first map misses the cache
        // and goes to the tree, and every later map of that thread hits.
        var r = Run(new DmaMapBenchmarkOptions { Threads = 2, Duration = Long, MaxLoopsPerThread = 100 });
        Assert.Equal(200, r.Dma.IovaAllocations);
        Assert.Equal(2, r.Dma.TreeAllocations);
        Assert.Equal(198, r.Dma.RcacheHits);
    }

    [Fact]
    public void The_duration_ends_a_run_without_a_loop_limit()
    {
        var r = Run(new DmaMapBenchmarkOptions { Threads = 2, Duration = TimeSpan.FromMilliseconds(150) });
        Assert.InRange(r.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(10));
        Assert.All(r.ThreadLoops, n => Assert.True(n > 0));
        Assert.Equal(r.Loops, r.Syncs);
        Assert.True(r.LoopsPerSecond > 0);
    }

    [Fact]
    public void The_transmit_delay_is_not_timed_but_slows_the_loop()
    {
        // Per thread, map, delay and unmap are disjoint stretches of the run: the timed map and
        // unmap time plus the untimed delays fit in the wall time only if the delay is left out.
        var delay = TimeSpan.FromMilliseconds(2);
        var r = Run(new DmaMapBenchmarkOptions { Duration = TimeSpan.FromMilliseconds(100), DmaTransNs = (int)(delay.Ticks * 100) });
        Assert.InRange(r.Loops, 1, 50);
        var timed = TimeSpan.FromTicks((long)(r.Map.Sum + r.Unmap.Sum));
        Assert.True(timed + (delay * r.Loops) <= r.Elapsed, $"timed {timed}, {r.Loops} delays, wall {r.Elapsed}");
    }

    [Fact]
    public void Run_refuses_options_the_kernel_refuses()
    {
        var (machine, device) = DmaMapBenchmark.DefaultMachine(InvalidationDesigns.Create(InvalidationDesigns.Linux));
        using (machine)
        {
            var e = Assert.Throws<ArgumentException>(() => DmaMapBenchmark.Run(machine, device, new DmaMapBenchmarkOptions { Threads = 0 }));
            Assert.StartsWith("invalid number of threads, must be in 1-1024", e.Message, StringComparison.Ordinal);
        }
    }
}
