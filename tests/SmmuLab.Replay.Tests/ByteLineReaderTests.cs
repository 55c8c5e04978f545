using System.Text;
using SmmuLab.Replay.Diagnostics;
using SmmuLab.Replay.Events;
using SmmuLab.Replay.Parsing;

namespace SmmuLab.Replay.Tests;

/// <summary>The UTF-8 line reader of trace files: buffer boundaries, line endings, long lines, bytes that are not UTF-8.</summary>
public sealed class ByteLineReaderTests
{
    private const string Map = "             fio-4021    [003] ..... 5000.000001: dma_map_phys: 0000:01:00.0 dir=FROM_DEVICE dma_addr=ffffe000 size=4096 phys_addr=8a000000 attrs=";

    [Fact]
    public void Lines_split_across_read_buffer_boundaries_come_out_whole()
    {
        var text = string.Concat(Enumerable.Repeat(Map + "\n", 50));

        foreach (var chunk in new[] { 1, 7, 64, 4096 })
        {
            var reader = new ByteLineReader(new TrickleStream(Encoding.UTF8.GetBytes(text), chunk), maxLineLength: 8192, initialBufferLength: 16);
            var n = 0;
            while (reader.TryReadLine(out var line, out var ending))
            {
                Assert.Equal(Map, line.ToString());
                Assert.Equal(LineEnding.Newline, ending);
                n++;
            }

            Assert.Equal(50, n);
        }
    }

    [Fact]
    public void Crlf_and_a_last_line_without_newline()
    {
        var reader = new ByteLineReader(new MemoryStream("one\r\ntwo\n\r\nthree"u8.ToArray()), maxLineLength: 64, initialBufferLength: 16);

        var lines = new List<(string, LineEnding)>();
        while (reader.TryReadLine(out var line, out var ending))
        {
            lines.Add((line.ToString(), ending));
        }

        Assert.Equal([("one", LineEnding.Newline), ("two", LineEnding.Newline), (string.Empty, LineEnding.Newline), ("three", LineEnding.EndOfInput)], lines);
    }

    [Fact]
    public void A_line_over_the_limit_is_cut_once_and_the_buffer_stays_bounded()
    {
        var text = Encoding.ASCII.GetBytes(new string('a', 100_000) + "\nshort\n");
        var reader = new ByteLineReader(new TrickleStream(text, 1000), maxLineLength: 8192, initialBufferLength: 16);

        Assert.True(reader.TryReadLine(out var first, out var firstEnding));
        Assert.Equal((LineEnding.TooLong, 8192), (firstEnding, first.Length));
        Assert.True(reader.TryReadLine(out var second, out var secondEnding));
        Assert.Equal(("short", LineEnding.Newline), (second.ToString(), secondEnding));
        Assert.True(reader.BufferLength <= 8192);
        Assert.False(reader.TryReadLine(out _, out _));
    }

    [Fact]
    public void Invalid_utf8_is_binary_data_on_its_line_and_the_lines_around_it_parse()
    {
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.ASCII.GetBytes(Map + "\n"));
        bytes.AddRange(Encoding.ASCII.GetBytes("             fio-4021    [003] ..... 5000.000002: dma_map_phys: 0000:01:00.0 dir="));
        bytes.AddRange(new byte[] { 0xC3, 0x28, 0xFF, 0xFE });
        bytes.AddRange(Encoding.ASCII.GetBytes(" size=4096\n" + Map + "\n"));

        var parser = new TraceParser(new MemoryStream(bytes.ToArray()));
        var records = parser.ReadAll().ToList();

        Assert.Equal(2, records.Count);
        Assert.Equal([1L, 3L], records.Select(r => r.LineNumber));
        var sample = Assert.Single(parser.Diagnostics.Samples(TraceProblem.Garbage));
        Assert.Equal(2, sample.LineNumber);
        Assert.Equal(1, parser.Diagnostics.NotUnderstood);
    }

    [Fact]
    public void Utf8_device_names_survive_and_a_byte_order_mark_is_skipped()
    {
        var line = "             fio-4021    [003] ..... 5000.000001: dma_map_phys: périph.0 dir=FROM_DEVICE dma_addr=ffffe000 size=4096 phys_addr=8a000000 attrs=";
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("# tracer: nop\n" + line + "\n")).ToArray();

        var parser = new TraceParser(new MemoryStream(bytes));
        var record = Assert.Single(parser.ReadAll().ToList());

        Assert.Equal("périph.0", Assert.IsType<DmaMapEvent>(record.Event).Device);
        Assert.Equal((1L, 0L), (parser.Diagnostics.CommentLines, parser.Diagnostics.NotUnderstood));
    }

    /// <summary>Hands out at most a few bytes per read, like a slow pipe.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);
    }
}
