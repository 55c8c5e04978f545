using System.Text.Json;
using SmmuLab.Tracing.Perfetto;

namespace SmmuLab.Tracing.Tests.Perfetto;

/// <summary>The Perfetto writer on its own: its envelope, its time unit, and a stream that fails under it.</summary>
public class PerfettoTraceWriterTests
{
    [Fact]
    public void With_nothing_attached_the_document_is_an_empty_event_list_in_nanoseconds()
    {
        using var stream = new MemoryStream();
        using (var writer = new PerfettoTraceWriter(stream, leaveOpen: true))
        {
            writer.StepStarted(0, "#0 map");
            Assert.Equal(0, writer.Events);
            Assert.Equal(0, writer.Step);
        }

        var root = JsonDocument.Parse(stream.ToArray()).RootElement;
        Assert.Equal("ns", root.GetProperty("displayTimeUnit").GetString());
        Assert.Equal(0, root.GetProperty("traceEvents").GetArrayLength());
        Assert.Equal("smmulab", root.GetProperty("otherData").GetProperty("producer").GetString());
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(1.0, 0.001)]
    [InlineData(1234.5678, 1.234568)]
    [InlineData(10_000_000.25, 10_000.00025)]
    public void Modeled_nanoseconds_become_the_formats_microseconds_to_the_picosecond(double ns, double us) =>
        Assert.Equal(us, PerfettoTraceWriter.Microseconds(ns), 9);

    [Fact]
    public void A_stream_that_fails_is_reported_not_thrown()
    {
        var writer = new PerfettoTraceWriter(new FailingStream());

        writer.Dispose();

        Assert.Equal("No space left on device", writer.WriteError);
    }

    private sealed class FailingStream : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("No space left on device");

        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("No space left on device");
    }
}
