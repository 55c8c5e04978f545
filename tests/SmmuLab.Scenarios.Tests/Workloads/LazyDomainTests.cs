using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.TestSupport.Designs;
using SmmuLab.TestSupport.Scenarios;
using SmmuLab.Verification;

namespace SmmuLab.Scenarios.Tests.Workloads;

/// <summary>
/// <c>strict = false</c>: unmap steps of a lazy domain clear the page table and queue the IOVA;
/// the flush queue's whole-domain flush (ring full, or its 10 ms timeout on the scenario's clock)
/// ends the deferred window. The oracle counts DMA in the window and judges DMA after it.
/// </summary>
public class LazyDomainTests
{
    /// <summary>
    /// #2 fills the TLB, #3 unmaps lazily, #4 uses the stale entry (window), #5 re-maps the queued
    /// IOVA (refused), #6 waits 5 ms (or, with <paramref name="flushStep"/>, flushes the domain), #7
    /// still in the window (after a flush: must fault), #8 waits 5 ms more (timeout flush), #9
    /// faults, #10 maps the freed IOVA again.
    /// </summary>
    private static string Scenario(bool flushStep = false)
    {
        var b = new ScenarioBuilder()
            .Invalidation("linux")
            .Smmu("smmu0", "s1", "s2")
            .Device("nic", [0x20])
            .Domain("dom", "s1").Key("strict", "false")
            .Attach("nic", "dom")
            .Map("dom", 0x10000, 0x80000000, 0x1000)
            .Dma("nic", 0x10000, 0x1000, "read", expect: "ok")
            .Unmap("dom", 0x10000, 0x1000)
            .Dma("nic", 0x10000, 0x1000, "read", expect: "ok")
            .MapRefused("dom", 0x10000, 0x80001000, 0x1000);
        b = flushStep ? b.Flush("dom").Dma("nic", 0x10000, 0x1000, "read", expect: "fault") : b.Wait("5ms").Dma("nic", 0x10000, 0x1000, "read", expect: "ok");
        return b.Wait("5ms")
            .Dma("nic", 0x10000, 0x1000, "read", expect: "fault")
            .Map("dom", 0x10000, 0x80001000, 0x1000)
            .ToToml();
    }

    private static readonly string Toml = Scenario();

    [Fact]
    public void A_lazy_unmap_leaves_the_translation_usable_until_the_flush_queue_times_out()
    {
        using var run = WorkloadRun.Of(Toml);

        Assert.True(run.Report.Succeeded, string.Join("\n", run.Report.Steps.Select(s => s.Format())));
        Assert.Equal(0, run.Oracle.ViolationCount);
        Assert.Equal(2, run.Report.Oracle!.DeferredWindowPages);

        // No leaf invalidation ever: the only TLBI is the flush queue's whole-ASID one.
        Assert.Equal(0L, run.Commands(Opcode.CMD_TLBI_NH_VA));
        Assert.Equal(1L, run.Commands(Opcode.CMD_TLBI_NH_ASID));
        var fq = run.Machine.UnmapFlushQueue("dom")!;
        Assert.Equal((1L, 0L, 1L), (fq.Statistics.TimeoutFlushes, fq.Statistics.FullFlushes, fq.Statistics.EntriesFreed));
    }

    [Fact]
    public void Mapping_an_IOVA_still_on_the_flush_queue_is_refused_with_the_reason()
    {
        using var run = WorkloadRun.Of(Toml);

        var refused = run.Report.Steps.Single(s => s.Index == 5);
        Assert.Contains("0x10000+0x1000 of lazy domain dom was unmapped but is still on its flush queue", refused.Outcome, StringComparison.Ordinal);
        Assert.Contains("a wait of 10ms", refused.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flush_that_does_not_invalidate_is_caught_after_the_window_closes()
    {
        using var run = WorkloadRun.Of(Toml, new FlushAllIgnored(new LinuxInvalidation()));

        Assert.False(run.Report.Succeeded);
        Assert.True(run.Report.Steps.Single(s => s.Index == 9).Dma!.Ok, "the stale TLB entry outlived the flush");
        var v = Assert.Single(run.Oracle.Violations);
        Assert.Equal((ViolationKind.Stale, 9, 8), (v.Kind, v.Step, v.KilledBy!.Value.Step));
        Assert.Equal("flush of lazy domain dom", v.KilledBy!.Value.Description);
        Assert.Equal(2, run.Report.Oracle!.DeferredWindowPages);
    }

    [Fact]
    public void An_explicit_flush_step_closes_the_window_too()
    {
        using var run = WorkloadRun.Of(Scenario(flushStep: true), new FlushAllIgnored(new LinuxInvalidation()));

        // The flush step's invalidation is ignored too, so the DMA after it is stale and judged.
        var v = Assert.Single(run.Oracle.Violations, x => x.Step == 7);
        Assert.Equal("flush of lazy domain dom", v.KilledBy!.Value.Description);
    }

    /// <summary>A broken design: whole-domain flushes (flush_iotlb_all) send nothing.</summary>
    private sealed class FlushAllIgnored(IInvalidationDesign inner) : DelegatingInvalidationDesign(inner)
    {
        public override void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf)
        {
            if (size != 0)
            {
                base.InvalidateRange(domain, iova, size, granule, leaf);
            }
        }
    }
}
