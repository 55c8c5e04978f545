namespace SmmuLab.Replay.Tests;

/// <summary>The CPU count a trace's header states: tracefs <c>#P:n</c>, trace-cmd <c>cpus=n</c>.</summary>
public class HeaderCpuCountTests
{
    [Theory]
    [InlineData("# tracer: nop\n#\n# entries-in-buffer/entries-written: 3451/3451   #P:4\n", 4)]
    [InlineData("# entries-in-buffer/entries-written: 0/0   #P:128\n", 128)]
    [InlineData("version = 6\ncpus=8\n", 8)]
    [InlineData("trace.dat: cpus=2\n", 2)]
    public void The_header_count_is_read(string text, int cpus)
    {
        var (_, d) = TraceText.Parse(text);
        Assert.Equal(cpus, d.CpuCount);
        Assert.Equal(0, d.NotUnderstood);
    }

    [Theory]
    [InlineData("# tracer: nop\n")]
    [InlineData("# entries-in-buffer/entries-written: 0/0   #P:four\n")]
    [InlineData("             fio-4021    [003] ..... 5000.123456: dma_unmap_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=ffff0000 size=4096 attrs=\n")]
    public void No_count_without_a_header_line(string text)
    {
        var (_, d) = TraceText.Parse(text);
        Assert.Null(d.CpuCount);
    }

    [Fact]
    public void The_first_count_wins()
    {
        var (_, d) = TraceText.Parse("cpus=8\n# entries-in-buffer/entries-written: 0/0   #P:4\ncpus=2\n");
        Assert.Equal(8, d.CpuCount);
    }
}
