using SmmuLab.Architecture.Commands;
using SmmuLab.Reporting;

namespace SmmuLab.Scenarios.Tests.Workloads;

/// <summary>The workload examples in scenarios/workloads/ read, and the NIC one runs clean with hand-countable flushes.</summary>
public class ExampleWorkloadTests
{
    private static string File(string name) => Path.Combine(ScenarioParserTests.RepositoryRoot(), "scenarios", "workloads", name);

    [Fact]
    public void The_NIC_ring_on_a_lazy_domain_runs_clean_and_flushes_per_full_ring_or_timeout()
    {
        using var run = WorkloadRun.Of(System.IO.File.ReadAllText(File("nic-lazy.toml")));

        Assert.True(run.Report.Succeeded, run.Report.Format());
        Assert.Equal(100_000L, run.Report.Steps[1].Workload!.Buffers);
        var fq = run.Machine.DmaLayer("rx")!.FlushQueue!;

        // 100,000 unmaps at 255 a ring: every flush is a whole-ASID TLBI with an ATC_INV for the ATS function.
        Assert.Equal(100_000L, fq.Statistics.EntriesQueued);
        Assert.Equal(100_000L, fq.Statistics.EntriesFreed);
        Assert.Equal(fq.Statistics.Flushes, run.Commands(Opcode.CMD_TLBI_NH_ASID));
        // ... plus the one ATC_INV of the whole ATC that enabling ATS at attach sends.
        Assert.Equal(fq.Statistics.Flushes + 1, run.Commands(Opcode.CMD_ATC_INV));
        Assert.Equal(0L, run.Commands(Opcode.CMD_TLBI_NH_VA));
        Assert.Equal(0, run.Oracle.ViolationCount);
    }

    [Fact]
    public void The_million_request_example_reads_as_one_workload_of_a_million_buffers()
    {
        var s = ScenarioParser.ParseFile(File("nvme-million.toml"));
        var w = Assert.IsType<Scenarios.Workloads.WorkloadStep>(s.Steps[1]);
        Assert.Equal((1_000_000L, 2), (w.Spec.Count, w.Spec.Threads));
    }
}
