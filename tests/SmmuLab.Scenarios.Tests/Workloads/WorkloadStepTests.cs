using SmmuLab.Architecture.Commands;
using SmmuLab.Machines.Workloads;
using SmmuLab.Reporting;
using SmmuLab.Scenarios.Workloads;

namespace SmmuLab.Scenarios.Tests.Workloads;

/// <summary>
/// <c>op = "workload"</c>: generated DMA-API work through the attached domain, with counts that
/// can be worked out by hand from the pattern, the strictness and the flush queue's ring size.
/// </summary>
public class WorkloadStepTests
{
    private static string Scenario(string workload, bool strict = true, string features = "\"s1\", \"s2\", \"ril\"") => $"""
        invalidation = "linux"
        [[smmu]]
        name = "smmu0"
        features = [{features}]
        [[device]]
        name = "nvme"
        sids = [0x100]
        [[domain]]
        name = "dma"
        kind = "s1"
        strict = {(strict ? "true" : "false")}
        [[step]]
        op = "attach"
        device = "nvme"
        domain = "dma"
        [[step]]
        op = "workload"
        device = "nvme"
        {workload}
        """;

    [Fact]
    public void Strict_map_DMA_unmap_sends_one_TLBI_and_one_CMD_SYNC_per_buffer_and_the_oracle_checks_every_page()
    {
        using var run = WorkloadRun.Of(Scenario("count = 3000\nsize = \"8KiB\""));

        Assert.True(run.Report.Succeeded, run.Report.Format());
        var w = run.Report.Steps[1].Workload!;
        Assert.Equal((3000L, 3000L, 3000L, 0L, 0L), (w.Buffers, w.MapCalls, w.UnmapCalls, w.MapFailures, w.DmaFaults));
        Assert.Equal(3000UL * 8192, w.BytesTransferred);
        Assert.Equal(6000L, run.Oracle.PagesChecked);
        Assert.Equal(3000L, run.Commands(Opcode.CMD_TLBI_NH_VA));
        var layer = run.Machine.DmaLayer("dma")!;
        Assert.Equal((3000L, 3000L), (layer.Statistics.Maps, layer.Statistics.StrictUnmaps));
    }

    [Fact]
    public void Lazy_map_DMA_unmap_flushes_once_per_full_ring_and_never_invalidates_a_leaf()
    {
        // One CPU's ring holds 255 entries: the 256th unmap finds it full and flushes.
        using var run = WorkloadRun.Of(Scenario("count = 1000", strict: false));

        Assert.True(run.Report.Succeeded, run.Report.Format());
        Assert.Equal(0, run.Oracle.ViolationCount);
        Assert.Equal(0L, run.Commands(Opcode.CMD_TLBI_NH_VA));
        var fq = run.Machine.DmaLayer("dma")!.FlushQueue!;
        Assert.Equal(1000 / 256, fq.Statistics.FullFlushes);
        Assert.Equal(fq.Statistics.FullFlushes, run.Commands(Opcode.CMD_TLBI_NH_ASID));
        Assert.Equal(1000L, fq.Statistics.EntriesQueued);
    }

    [Fact]
    public void An_interval_moves_the_clock_and_the_flush_queue_times_out()
    {
        // 100 buffers 1 ms apart: the timer armed by the first fires at 10 ms, and again each 10 ms.
        using var run = WorkloadRun.Of(Scenario("count = 100\ninterval = \"1ms\"", strict: false));

        var w = run.Report.Steps[1].Workload!;
        Assert.Equal(TimeSpan.FromMilliseconds(100), w.ModeledTime);
        var fq = run.Machine.DmaLayer("dma")!.FlushQueue!;
        Assert.Equal(0L, fq.Statistics.FullFlushes);
        Assert.InRange(fq.Statistics.TimeoutFlushes, 9, 10);
        Assert.Equal(0, run.Oracle.ViolationCount);
    }

    [Fact]
    public void Map_many_unmap_many_keeps_a_batch_mapped_at_once()
    {
        using var run = WorkloadRun.Of(Scenario("pattern = \"map-many-unmap-many\"\ncount = 100\nbatch = 32\ndir = \"from-device\""));

        Assert.True(run.Report.Succeeded, run.Report.Format());
        var w = run.Report.Steps[1].Workload!;
        Assert.Equal((100L, 100L, 100L), (w.Buffers, w.MapCalls, w.UnmapCalls));

        // 32 buffers live at once need 32 different IOVAs: the allocator handed out a fresh one per live buffer.
        Assert.True(run.Machine.DmaLayer("dma")!.Iovad.Statistics.Allocations >= 100);
        Assert.Equal(100L, run.Oracle.PagesChecked);
    }

    [Fact]
    public void Scatter_gather_maps_a_list_per_call_and_unmaps_it_with_one_invalidation()
    {
        using var run = WorkloadRun.Of(Scenario("pattern = \"scatter-gather\"\ncount = 64\nbatch = 16\nsize = \"4KiB\""));

        Assert.True(run.Report.Succeeded, run.Report.Format());
        var w = run.Report.Steps[1].Workload!;
        Assert.Equal((64L, 4L, 4L), (w.Buffers, w.MapCalls, w.UnmapCalls));
        Assert.Equal(4L, run.Commands(Opcode.CMD_TLBI_NH_VA));
        Assert.Equal(64L, run.Oracle.PagesChecked);
    }

    [Fact]
    public void Two_threads_share_the_count_and_the_oracle_finds_nothing()
    {
        using var run = WorkloadRun.Of(Scenario("count = 2001\nthreads = 2\nsize = [\"4KiB\", \"64KiB\"]\nweights = [3, 1]", strict: false));

        Assert.True(run.Report.Succeeded, run.Report.Format());
        Assert.Equal(2001L, run.Report.Steps[1].Workload!.Buffers);
        Assert.Equal(0, run.Oracle.ViolationCount);
        Assert.True(run.Oracle.PagesChecked > 2001);
    }

    [Fact]
    public void A_workload_on_a_device_without_a_paging_domain_is_a_step_error()
    {
        var toml = Scenario("count = 1").Replace("kind = \"s1\"\nstrict = true", "kind = \"identity\"", StringComparison.Ordinal);
        using var run = WorkloadRun.Of(toml);

        Assert.False(run.Report.Succeeded);
        Assert.Contains("is not attached to an s1 or s2 domain", run.Report.Steps[1].Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stop_request_ends_the_workload_early_with_a_partial_report()
    {
        using var stop = new CancellationTokenSource();
        using var run = WorkloadRun.Of(Scenario("count = 10000000"), options: new ScenarioRunOptions
        {
            Stop = stop.Token,
            Progress = p =>
            {
                if (p.BuffersDone >= 5000)
                {
                    stop.Cancel();
                }
            },
        });

        Assert.True(run.Report.Stopped);
        Assert.False(run.Report.Succeeded);
        var w = run.Report.Steps[1].Workload!;
        Assert.InRange(w.Buffers, 5000, 5000 + WorkloadEngine.ProgressStride);
        Assert.Contains("stopped by request after 2 of 2 steps", run.Report.Format(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_seed_draws_the_same_sizes()
    {
        static ulong Bytes(int seed)
        {
            using var run = WorkloadRun.Of(Scenario($"count = 500\nsize = [\"4KiB\", \"8KiB\", \"64KiB\"]\nseed = {seed}"));
            return run.Report.Steps[1].Workload!.BytesTransferred;
        }

        Assert.Equal(Bytes(7), Bytes(7));
        Assert.NotEqual(Bytes(7), Bytes(8));
    }

    [Theory]
    [InlineData("count = 0", "count", "count must be at least 1")]
    [InlineData("count = 5\nbatch = 4", "batch", "map-dma-unmap maps one buffer at a time")]
    [InlineData("count = 5\nsize = [\"4KiB\", \"8KiB\"]\nweights = [1]", "weights", "weights has 1 entries for 2 sizes")]
    [InlineData("count = 5\nsize = \"4 lightyears\"", "size", "is not a size")]
    [InlineData("count = 5\ninterval = \"10\"", "interval", "is not a duration")]
    [InlineData("count = 5\nthreads = 65", "threads", "out of range")]
    [InlineData("count = 5\nsize = \"65MiB\"", "size", "out of range")]
    [InlineData("pattern = \"map-many-unmap-many\"\ncount = 5\nbatch = 4096\nsize = \"64MiB\"\nthreads = 2", "size", "exceed the 4GiB a workload may use")]
    public void Bad_workload_keys_are_refused_with_the_key_and_reason(string keys, string key, string reason)
    {
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(Scenario(keys), "w.toml"));
        Assert.Contains($"step[1].{key}", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Strict_is_only_for_S1_and_S2_domains()
    {
        var toml = Scenario("count = 1").Replace("kind = \"s1\"", "kind = \"identity\"", StringComparison.Ordinal);
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(toml, "w.toml"));
        Assert.Contains("domain[0].strict", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_step_describes_the_workload_in_the_files_words()
    {
        var s = ScenarioParser.Parse(Scenario("pattern = \"scatter-gather\"\ncount = 1000000\nsize = [\"4KiB\", \"1MiB\"]\nbatch = 8\nthreads = 2\ninterval = \"1500us\"\ndir = \"to-device\""), "w.toml");
        var step = Assert.IsType<WorkloadStep>(s.Steps[1]);
        Assert.Equal("workload nvme scatter-gather x1000000 of 4KiB|1MiB in batches of 8 to-device, 2 threads, every 1500us", step.Describe());
    }
}
