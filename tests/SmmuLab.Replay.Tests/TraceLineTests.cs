using SmmuLab.Replay.Parsing;

namespace SmmuLab.Replay.Tests;

/// <summary>The context columns of every layout (kernel/trace/trace_output.c, trace-cmd report).</summary>
public class TraceLineTests
{
    private const string Payload = "0000:01:00.0 dir=FROM_DEVICE dma_addr=fffff000 size=4096 phys_addr=1234567000 attrs=";

    [Fact]
    public void Tracefs_current_pid_width_7_with_5_column_flags()
    {
        // >= 5.13-ish trace_print_context: "%16s-%-7d " "[%03d] " flags(5) " %5lu.%06lu" ": ".
        var line = TraceLine.Split("     kworker/2:1-1234    [002] d.h2. 12345.678901: dma_map_phys: " + Payload);
        Assert.Equal(TraceLineKind.Event, line.Kind);
        Assert.Equal(TraceLayout.Standard, line.Layout);
        Assert.Equal("kworker/2:1", line.Task.ToString());
        Assert.Equal(1234, line.Pid);
        Assert.Null(line.Tgid);
        Assert.Equal(2, line.Cpu);
        Assert.Equal(new LatencyFlags('d', '.', 'h', 2, 0), line.Flags);
        Assert.True(line.Flags!.Value.IrqsDisabled);
        Assert.True(line.Flags!.Value.InHardIrq);
        Assert.False(line.Flags!.Value.InSoftIrq);
        Assert.Equal(TraceTimestamp.FromNanoseconds(12345_678901000), line.Timestamp);
        Assert.True(line.System.IsEmpty);
        Assert.Equal("dma_map_phys", line.EventName.ToString());
        Assert.Equal(Payload, line.Payload.ToString());
    }

    [Fact]
    public void Tracefs_with_record_tgid_column()
    {
        // options/record-tgid: "(%7d) " after the pid, "(-------) " when the tgid is unknown.
        var known = TraceLine.Split("         fio-4021    (   4019) [003] ..... 5000.123456: dma_map_phys: " + Payload);
        Assert.Equal(TraceLineKind.Event, known.Kind);
        Assert.Equal("fio", known.Task.ToString());
        Assert.Equal(4021, known.Pid);
        Assert.Equal(4019, known.Tgid);
        Assert.Equal(3, known.Cpu);
        Assert.Equal(new LatencyFlags('.', '.', '.', 0, 0), known.Flags);

        var unknown = TraceLine.Split("          <idle>-0       (-------) [000] ..s1. 5000.123457: dma_map_phys: " + Payload);
        Assert.Equal(TraceLineKind.Event, unknown.Kind);
        Assert.Equal("<idle>", unknown.Task.ToString());
        Assert.Equal(0, unknown.Pid);
        Assert.Null(unknown.Tgid);
        Assert.True(unknown.Flags!.Value.InSoftIrq);
        Assert.Equal(1, unknown.Flags!.Value.PreemptDepth);
    }

    [Fact]
    public void Tracefs_without_irq_info_has_no_flag_column()
    {
        // options/irq-info off: "[%03d] " then " %5lu.%06lu".
        var line = TraceLine.Split("         fio-4021    [003]  5000.123456: dma_map_phys: " + Payload);
        Assert.Equal(TraceLineKind.Event, line.Kind);
        Assert.Null(line.Flags);
        Assert.Equal(3, line.Cpu);
        Assert.Equal(TraceTimestamp.FromNanoseconds(5000_123456000), line.Timestamp);
    }

    [Fact]
    public void Tracefs_old_pid_width_5_with_4_column_flags()
    {
        // Older kernels: "%16s-%-5d " and no migrate-disable column.
        var line = TraceLine.Split("          <idle>-0     [000] dNh1   100.000001: dma_map_page: " + Payload);
        Assert.Equal(TraceLineKind.Event, line.Kind);
        Assert.Equal(0, line.Pid);
        Assert.Equal(new LatencyFlags('d', 'N', 'h', 1, null), line.Flags);
        Assert.Equal(TraceTimestamp.FromNanoseconds(100_000001000), line.Timestamp);
        Assert.Equal("dma_map_page", line.EventName.ToString());
    }

    [Fact]
    public void Task_names_with_spaces_dashes_and_digits()
    {
        var irq = TraceLine.Split("  irq/45-nvme0q1-612     [001] d.h.. 1.500000: dma_map_phys: " + Payload);
        Assert.Equal("irq/45-nvme0q1", irq.Task.ToString());
        Assert.Equal(612, irq.Pid);

        var spaced = TraceLine.Split("    Web Content-7777    [005] ..... 1.500000: dma_map_phys: " + Payload);
        Assert.Equal("Web Content", spaced.Task.ToString());
        Assert.Equal(7777, spaced.Pid);

        var dashDigits = TraceLine.Split("     worker-12-x-99      [005] ..... 1.500000: dma_map_phys: " + Payload);
        Assert.Equal("worker-12-x", dashDigits.Task.ToString());
        Assert.Equal(99, dashDigits.Pid);
    }

    [Fact]
    public void Trace_cmd_report_without_and_with_flags()
    {
        // trace-cmd report: "%16s-%-5d [%03d]", time, " name: " padded to 20 characters.
        var plain = TraceLine.Split("             fio-4021  [003]  5000.123456: dma_map_page:         " + Payload);
        Assert.Equal(TraceLineKind.Event, plain.Kind);
        Assert.Equal("fio", plain.Task.ToString());
        Assert.Equal(4021, plain.Pid);
        Assert.Null(plain.Flags);
        Assert.Equal("dma_map_page", plain.EventName.ToString());
        Assert.Equal(Payload, plain.Payload.ToString());

        var flagged = TraceLine.Split("             fio-4021  [003] d..1.  5000.123456: dma_map_page:         " + Payload);
        Assert.Equal(new LatencyFlags('d', '.', '.', 1, 0), flagged.Flags);
        Assert.Equal(Payload, flagged.Payload.ToString());
    }

    [Fact]
    public void Timestamps_of_other_precisions_and_clocks()
    {
        // trace-cmd report -t: nanoseconds.
        var ns = TraceLine.Split("             fio-4021  [003]  5000.123456789: dma_map_page: " + Payload);
        Assert.Equal(TraceTimestamp.FromNanoseconds(5000_123456789), ns.Timestamp);

        // A counter clock (trace_clock x86-tsc / counter): " %12llu".
        var counts = TraceLine.Split("             fio-4021  [003] ..... 987654321012: dma_map_page: " + Payload);
        Assert.Equal(new TraceTimestamp(987654321012, TimestampUnit.ClockCounts), counts.Timestamp);

        // Milliseconds precision from a hand-cut file.
        var ms = TraceLine.Split("             fio-4021  [003] 12.5: dma_map_page: " + Payload);
        Assert.Equal(TraceTimestamp.FromNanoseconds(12_500000000), ms.Timestamp);
        Assert.Equal("12.500000000", ms.Timestamp.ToString());
    }

    [Fact]
    public void Latency_format_bare_CPU_and_relative_microseconds()
    {
        // options/latency-format: "%8.8s-%-7d %3d" + flags, then " %4lldus%c: ".
        var marked = TraceLine.Split("  <idle>-0         1d..2.   12us+: dma_map_phys: " + Payload);
        Assert.Equal(TraceLineKind.Event, marked.Kind);
        Assert.Equal(TraceLayout.Latency, marked.Layout);
        Assert.Equal("<idle>", marked.Task.ToString());
        Assert.Equal(1, marked.Cpu);
        Assert.Equal(new LatencyFlags('d', '.', '.', 2, 0), marked.Flags);
        Assert.Equal(new TraceTimestamp(12, TimestampUnit.RelativeMicroseconds), marked.Timestamp);

        var unmarked = TraceLine.Split("kworker/-88        3....1    0us : dma_map_phys: " + Payload);
        Assert.Equal(TraceLineKind.Event, unmarked.Kind);
        Assert.Equal(88, unmarked.Pid);
        Assert.Equal(3, unmarked.Cpu);
        Assert.Equal(new TraceTimestamp(0, TimestampUnit.RelativeMicroseconds), unmarked.Timestamp);
    }

    [Fact]
    public void System_prefix_and_ts_diff()
    {
        var prefixed = TraceLine.Split("             fio-4021  [003]  5000.123456: iommu:map: IOMMU: iova=0x0000000000001000 paddr=0x0000000000002000 size=4096");
        Assert.Equal("iommu", prefixed.System.ToString());
        Assert.Equal("map", prefixed.EventName.ToString());

        var diff = TraceLine.Split("             fio-4021  [003]  5000.123456: (+0.000012) dma_map_page: " + Payload);
        Assert.Equal("dma_map_page", diff.EventName.ToString());
        Assert.Equal(Payload, diff.Payload.ToString());
    }

    [Fact]
    public void Context_columns_reach_the_record()
    {
        // tracefs with record-tgid and irq-info.
        Assert.Equal(
            new TraceContext("fio", 4021, 4019, 3, new LatencyFlags('.', 'N', '.', 1, 0), TraceTimestamp.FromNanoseconds(5000_123456000)),
            TraceText.Single("             fio-4021    (   4019) [003] .N.1. 5000.123456: dma_map_phys: " + Payload).Context);

        // Latency format.
        Assert.Equal(
            new TraceContext("<idle>", 0, null, 1, new LatencyFlags('d', '.', 's', 2, 0), new TraceTimestamp(12, TimestampUnit.RelativeMicroseconds)),
            TraceText.Single("  <idle>-0         1d.s2.   12us+: dma_map_phys: " + Payload).Context);

        // trace-cmd report -t without flags.
        Assert.Equal(
            new TraceContext("fio", 4021, null, 3, null, TraceTimestamp.FromNanoseconds(5000_123456789)),
            TraceText.Single("             fio-4021  [003]  5000.123456789: dma_map_page:         " + Payload).Context);
    }

    [Theory]
    [InlineData("# tracer: nop", TraceLineKind.Comment)]
    [InlineData("#                                _-----=> irqs-off/BH-disabled", TraceLineKind.Comment)]
    [InlineData("#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION", TraceLineKind.Comment)]
    [InlineData("##### CPU 2 buffer started ####", TraceLineKind.Comment)]
    [InlineData("   # indented comment", TraceLineKind.Comment)]
    [InlineData("", TraceLineKind.Blank)]
    [InlineData("   \t ", TraceLineKind.Blank)]
    [InlineData("version = 6", TraceLineKind.Header)]
    [InlineData("cpus=8", TraceLineKind.Header)]
    [InlineData("trace.dat: cpus=4", TraceLineKind.Header)]
    [InlineData("CPU 3 is empty", TraceLineKind.Header)]
    [InlineData("CPU 0", TraceLineKind.Header)]
    [InlineData("CPU:1 [SUBBUFFER START]", TraceLineKind.Header)]
    [InlineData("not a trace line at all", TraceLineKind.Malformed)]
    public void Non_event_lines(string text, TraceLineKind kind) => Assert.Equal(kind, TraceLine.Split(text).Kind);

    [Theory]
    [InlineData("CPU:2 [LOST 17 EVENTS]", 2, 17L)]
    [InlineData("CPU:7 [204600 EVENTS DROPPED]", 7, 204600L)]
    [InlineData("CPU:0 [EVENTS DROPPED]", 0, null)]
    public void Lost_event_lines(string text, int cpu, long? count)
    {
        var line = TraceLine.Split(text);
        Assert.Equal(TraceLineKind.LostEvents, line.Kind);
        Assert.Equal(cpu, line.Cpu);
        Assert.Equal(count, line.LostCount);
    }

    [Theory]
    [InlineData("     kworker/2:1-1234    [002] ..x.. 12345.678901: dma_map_phys: x", "flag column is not 4 or 5 flag characters")]
    [InlineData("     kworker/2:1-1234    [002] ..... 12345.678901 dma_map_phys: x", "no timestamp followed by ':'")]
    [InlineData("     kworker/2:1-1234    [002] ..... abc: dma_map_phys: x", "no timestamp followed by ':'")]
    [InlineData("     kworker/2:1-1234    [002] ..... 1.5: dma_map_phys:x", "no event name followed by ': '")]
    [InlineData("     kworker/2:1 1234    [002] ..... 1.5: dma_map_phys: x", "no task-pid and CPU columns")]
    [InlineData("     kworker/2:1-1234    [002 ..... 1.5: dma_map_phys: x", "no task-pid and CPU columns")]
    [InlineData("     kworker/2:1-1234    [002] ..... 1.1234567890: dma_map_phys: x", "no timestamp followed by ':'")]
    public void Malformed_context(string text, string problem)
    {
        var line = TraceLine.Split(text);
        Assert.Equal(TraceLineKind.Malformed, line.Kind);
        Assert.Equal(problem, line.Problem);
    }
}
