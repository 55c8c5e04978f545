using SmmuLab.Replay.Diagnostics;
using SmmuLab.Replay.Events;
using SmmuLab.Replay.Parsing;

namespace SmmuLab.Replay.Tests;

/// <summary>Every line is accounted for; bad lines become counted, sampled diagnostics, never exceptions.</summary>
public class DiagnosticsTests
{
    private const string Ctx = "         fio-4021    [003] ..... 5000.000000: ";

    [Theory]
    [InlineData("garbage that is not a trace line", TraceProblem.MalformedContext, "no task-pid and CPU columns")]
    [InlineData("         fio-4021    [003] ..x.. 5000.000000: dma_map_phys: 0000:01:00.0", TraceProblem.MalformedContext, "flag column is not 4 or 5 flag characters")]
    [InlineData(Ctx + "sched_switch: prev_comm=fio prev_pid=4021 prev_prio=120 prev_state=S ==> next_comm=swapper/3 next_pid=0 next_prio=120", TraceProblem.UnsupportedEvent, "event not modelled")]
    [InlineData(Ctx + "block:dma_map_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=1000 size=4096 phys_addr=2000 attrs=", TraceProblem.UnsupportedEvent, "event not modelled")]
    [InlineData(Ctx + "dma_map_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=1000 size=4096 phys_addr=2000", TraceProblem.MalformedPayload, "missing attrs")]
    [InlineData(Ctx + "dma_map_phys: dir=TO_DEVICE dma_addr=1000 size=4096 phys_addr=2000 attrs=", TraceProblem.MalformedPayload, "no device name before the fields")]
    [InlineData(Ctx + "dma_map_phys: 0000:01:00.0 dir=SIDEWAYS dma_addr=1000 size=4096 phys_addr=2000 attrs=", TraceProblem.MalformedPayload, "unknown dir")]
    [InlineData(Ctx + "dma_map_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=xyz size=4096 phys_addr=2000 attrs=", TraceProblem.MalformedPayload, "bad dma_addr")]
    [InlineData(Ctx + "dma_unmap_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=1000 size=-1 attrs=", TraceProblem.MalformedPayload, "bad size")]
    [InlineData(Ctx + "dma_unmap_sg: 0000:01:00.0 dir=TO_DEVICE phys_addrs={0x1000,0x2000 attrs=", TraceProblem.MalformedPayload, "bad phys_addrs")]
    [InlineData(Ctx + "dma_map_sg: 0000:01:00.0 dir=TO_DEVICE dma_addrs={0x1000,0x2000} sizes={0x1000} phys_addrs={0x1000} attrs=", TraceProblem.MalformedPayload, "dma_addrs and sizes differ in length")]
    [InlineData(Ctx + "dma_map_sg: 0000:01:00.0 dir=TO_DEVICE nents=2/2 ents=1/1 dma_addrs={0x1000} sizes={0x1000} phys_addrs={0x1000} attrs=", TraceProblem.MalformedPayload, "array lengths do not match nents/ents")]
    [InlineData(Ctx + "dma_map_sg: 0000:01:00.0 dir=TO_DEVICE nents=1/1 dma_addrs={0x1000} sizes={0x1000} phys_addrs={0x1000} attrs=", TraceProblem.MalformedPayload, "missing nents or ents")]
    [InlineData(Ctx + "map: iova=0x0000000000001000 paddr=0x0000000000002000 size=4096", TraceProblem.MalformedPayload, "payload does not start with IOMMU:")]
    [InlineData(Ctx + "map: IOMMU: iova=0x0000000000001000 - 0x0000000000003000 paddr=0x0000000000002000 size=4096", TraceProblem.MalformedPayload, "iova range end is not iova + size")]
    [InlineData(Ctx + "unmap: IOMMU: iova=0x0000000000001000 size=4096", TraceProblem.MalformedPayload, "missing unmapped_size")]
    [InlineData(Ctx + "io_page_fault: IOMMU:nvme0000:01:00.0 iova=0x1000 flags=0x0", TraceProblem.MalformedPayload, "missing driver and device")]
    [InlineData(Ctx + "add_device_to_group: IOMMU: device=0000:01:00.0", TraceProblem.MalformedPayload, "missing groupID")]
    [InlineData(Ctx + "dma_map_sg: [FAILED TO PARSE] device=0000:01:00.0 full_nents=3 full_ents=1 truncated=0", TraceProblem.FailedToParse, "trace-cmd could not format the event")]
    [InlineData("\u0000\u0000\u0001\u0002ELF\u0003 binary junk", TraceProblem.Garbage, "no task-pid and CPU columns")]
    [InlineData(Ctx + "dma_map_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=1\u0000 size=4096 phys_addr=2000 attrs=", TraceProblem.Garbage, "bad dma_addr")]
    public void Each_kind_of_bad_line(string line, TraceProblem expected, string detail)
    {
        var (problem, sample) = TraceText.Problem(line);
        Assert.Equal(expected, problem);
        Assert.Equal(1, sample.LineNumber);
        Assert.Equal(detail, sample.Detail);
        Assert.Equal(line, sample.Text);
    }

    [Fact]
    public void Truncated_file_reports_its_cut_last_line()
    {
        const string Full = "         fio-4021    [003] ..... 5000.000000: dma_map_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=fffff000 size=4096 phys_addr=8a000000 attrs=\n";
        const string Cut = "         fio-4021    [003] ..... 5000.000010: dma_map_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=ffff";
        var (records, diagnostics) = TraceText.Parse("# tracer: nop\n" + Full + Full + Cut);
        Assert.Equal(2, records.Count);
        Assert.Equal(4, diagnostics.Lines);
        Assert.Equal(1, diagnostics.CommentLines);
        Assert.Equal(2, diagnostics.Events);
        Assert.Equal(1, diagnostics.Count(TraceProblem.TruncatedLine));
        Assert.Equal(1, diagnostics.NotUnderstood);
        Assert.True(diagnostics.UnterminatedLastLine);
        var sample = Assert.Single(diagnostics.Samples(TraceProblem.TruncatedLine));
        Assert.Equal(4, sample.LineNumber);
        Assert.Equal(Cut, sample.Text);
        Assert.Equal("missing size", sample.Detail);
    }

    [Fact]
    public void A_complete_last_line_without_newline_still_parses()
    {
        var (records, diagnostics) = TraceText.Parse(
            "         fio-4021    [003] ..... 5000.000000: dma_unmap_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=fffff000 size=4096 attrs=");
        Assert.Single(records);
        Assert.True(diagnostics.UnterminatedLastLine);
        Assert.Equal(0, diagnostics.NotUnderstood);
    }

    [Fact]
    public void Truncated_inside_the_context()
    {
        var (records, diagnostics) = TraceText.Parse("         fio-4021    [003] ..... 5000.0");
        Assert.Empty(records);
        Assert.Equal(1, diagnostics.Count(TraceProblem.TruncatedLine));
    }

    [Fact]
    public void Samples_are_capped_per_problem_and_cut_to_length()
    {
        var longJunk = new string('x', 1000);
        var text = string.Concat(Enumerable.Repeat(longJunk + "\n", 50));
        var (records, diagnostics) = TraceText.Parse(text, new TraceParserOptions { SamplesPerProblem = 3, SampleLength = 100 });
        Assert.Empty(records);
        Assert.Equal(50, diagnostics.Count(TraceProblem.MalformedContext));
        var samples = diagnostics.Samples(TraceProblem.MalformedContext);
        Assert.Equal([1L, 2, 3], samples.Select(s => s.LineNumber));
        Assert.All(samples, s => Assert.Equal(100, s.Text.Length));
    }

    [Fact]
    public void Too_long_lines_are_skipped_and_parsing_resumes()
    {
        const string Good = "         fio-4021    [003] ..... 5000.000000: dma_unmap_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=fffff000 size=4096 attrs=\n";
        var huge = "         fio-4021    [003] ..... 5000.000001: dma_unmap_sg: 0000:01:00.0 dir=TO_DEVICE phys_addrs={" +
            string.Join(',', Enumerable.Repeat("0x8a000000", 30000)) + "} attrs=\n";
        var parser = new TraceParser(new StringReader(Good + huge + Good + huge), new TraceParserOptions { MaxLineLength = 4096 });
        var records = parser.ReadAll().ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal([1L, 3], records.Select(r => r.LineNumber));
        Assert.Equal(4, parser.Diagnostics.Lines);
        Assert.Equal(2, parser.Diagnostics.Count(TraceProblem.LineTooLong));
        Assert.Equal("longer than 4096 characters", parser.Diagnostics.Samples(TraceProblem.LineTooLong)[0].Detail);
    }

    [Fact]
    public void Lost_events_are_counted_and_returned_as_markers()
    {
        var (records, diagnostics) = TraceText.Parse(
            "CPU:2 [LOST 17 EVENTS]\n" +
            "     kworker/2:1-1234    [002] ..... 1.000000: dma_unmap_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=fffff000 size=4096 attrs=\n" +
            "CPU:1 [5 EVENTS DROPPED]\n" +
            "CPU:0 [EVENTS DROPPED]\n");
        Assert.Equal(4, records.Count);
        Assert.Equal(new TraceLostEvents(2, 17), records[0].Event);
        Assert.Equal(2, records[0].Context.Cpu);
        Assert.Equal(new TraceLostEvents(1, 5), records[2].Event);
        Assert.Equal(new TraceLostEvents(0, null), records[3].Event);
        Assert.Equal(3, diagnostics.LostEventLines);
        Assert.Equal(22, diagnostics.LostEvents);
        Assert.Equal(1, diagnostics.LostEventLinesWithoutCount);
        Assert.Equal(1, diagnostics.Events);
        Assert.Equal(3, diagnostics.EventCount(TraceEventKind.LostEvents));
        Assert.Equal(0, diagnostics.NotUnderstood);
    }

    [Fact]
    public void Tracefs_header_is_skipped_and_counted()
    {
        const string Header = """
            # tracer: nop
            #
            # entries-in-buffer/entries-written: 2/2   #P:4
            #
            #                                _-----=> irqs-off/BH-disabled
            #                               / _----=> need-resched
            #                              | / _---=> hardirq/softirq
            #                              || / _--=> preempt-depth
            #                              ||| / _-=> migrate-disable
            #                              |||| /     delay
            #           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
            #              | |         |   |||||     |         |

            """;
        var (records, diagnostics) = TraceText.Parse(Header +
            "     kworker/2:1-1234    [002] ..... 1.000000: dma_unmap_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=fffff000 size=4096 attrs=\n");
        Assert.Single(records);
        Assert.Equal(13, records[0].LineNumber);
        Assert.Equal(12, diagnostics.CommentLines);
        Assert.Equal(0, diagnostics.BlankLines);
        Assert.Equal(13, diagnostics.Lines);
        Assert.Contains("comments 12", diagnostics.Summarize(), StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_lists_problems_with_samples()
    {
        var (_, diagnostics) = TraceText.Parse("junk\n\nCPU 1 is empty\n");
        var summary = diagnostics.Summarize();
        Assert.Contains("lines 3: events 0, comments 0, headers 1, blank 1", summary, StringComparison.Ordinal);
        Assert.Contains("MalformedContext: 1", summary, StringComparison.Ordinal);
        Assert.Contains("line 1 (no task-pid and CPU columns): junk", summary, StringComparison.Ordinal);
    }
}
