using SmmuLab.Replay.Diagnostics;
using SmmuLab.Replay.Events;
using SmmuLab.Replay.Parsing;

namespace SmmuLab.Replay.Tests;

/// <summary>Streaming: bounded allocations on a large input, chunk boundaries, line endings.</summary>
public class StreamingTests
{
    [Fact]
    public void Hundred_thousand_lines_parse_with_bounded_allocations()
    {
        const int Lines = 100_000;
        var text = GeneratedTrace.Build(Lines, out var expected);
        using var reader = new StringReader(text);
        var parser = new TraceParser(reader);

        var before = GC.GetAllocatedBytesForCurrentThread();
        long events = 0, lost = 0;
        while (parser.TryRead(out var record))
        {
            if (record.Event is TraceLostEvents)
            {
                lost++;
            }
            else
            {
                events++;
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var d = parser.Diagnostics;
        Assert.Equal(Lines, d.Lines);
        Assert.Equal(expected.Events, events);
        Assert.Equal(expected.Events, d.Events);
        Assert.Equal(expected.Lost, lost);
        Assert.Equal(expected.Lost, d.LostEventLines);
        Assert.Equal(expected.Lost * 3, d.LostEvents);
        Assert.Equal(expected.Comments, d.CommentLines);
        Assert.Equal(expected.Junk, d.Count(TraceProblem.MalformedContext));
        Assert.Equal(expected.Unsupported, d.Count(TraceProblem.UnsupportedEvent));
        Assert.Equal(expected.Junk + expected.Unsupported, d.NotUnderstood);
        Assert.Equal(d.SamplesPerProblem, d.Samples(TraceProblem.MalformedContext).Count);
        Assert.Equal(Lines, d.Events + d.LostEventLines + d.CommentLines + d.HeaderLines + d.BlankLines + d.NotUnderstood);
        Assert.Equal(expected.Maps, d.EventCount(TraceEventKind.DmaMapPhys));
        Assert.False(d.UnterminatedLastLine);

        // Only the boxed event records (about 60 bytes each) plus fixed buffers: a string per line
        // alone (~280 bytes) would exceed this.
        Assert.True(allocated < (Lines * 96L) + (1L << 20), $"{allocated} bytes allocated for {Lines} lines");
    }

    [Fact]
    public void Tiny_reads_give_the_same_records()
    {
        var text = GeneratedTrace.Build(3000, out _);
        var whole = new TraceParser(new StringReader(text)).ReadAll().ToList();
        var chunked = new TraceParser(new TrickleReader(text, 7)).ReadAll().ToList();
        Assert.Equal(whole.Count, chunked.Count);
        for (var i = 0; i < whole.Count; i++)
        {
            Assert.Equal(whole[i].LineNumber, chunked[i].LineNumber);
            Assert.Equal(whole[i].Context, chunked[i].Context);
            Assert.Equal(whole[i].Event, chunked[i].Event);
        }
    }

    [Fact]
    public void Static_parse_fills_diagnostics_as_it_goes()
    {
        var records = TraceParser.Parse(new StringReader(GeneratedTrace.Build(2000, out var expected)), out var diagnostics);
        Assert.Equal(0, diagnostics.Lines);
        Assert.Equal(expected.Events + expected.Lost, records.Count());
        Assert.Equal(2000, diagnostics.Lines);
        Assert.Equal(expected.Junk, diagnostics.Count(TraceProblem.MalformedContext));
    }

    [Fact]
    public void Crlf_line_endings()
    {
        var (records, diagnostics) = TraceText.Parse(
            "# tracer: nop\r\n" +
            "         fio-4021    [003] ..... 5000.000000: dma_unmap_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=fffff000 size=4096 attrs=SKIP_CPU_SYNC\r\n");
        Assert.Equal(DmaAttributes.SkipCpuSync, Assert.IsType<DmaUnmapEvent>(Assert.Single(records).Event).Attrs);
        Assert.Equal(0, diagnostics.NotUnderstood);
    }

    [Fact]
    public void Names_are_shared_between_records()
    {
        var text = GeneratedTrace.Build(100, out _);
        var records = new TraceParser(new StringReader(text)).ReadAll().Where(r => r.Event.Device is not null).ToList();
        Assert.True(records.Count > 10);
        Assert.All(records, r => Assert.Same(records[0].Event.Device, r.Event.Device));
    }

    [Fact]
    public void Line_reader_buffer_stays_within_the_limit()
    {
        var text = new string('a', 100_000) + "\nshort\n";
        var lines = new LineReader(new StringReader(text), maxLineLength: 8192, initialBufferLength: 16);
        Assert.True(lines.TryReadLine(out var first, out var firstEnding));
        Assert.Equal(LineEnding.TooLong, firstEnding);
        Assert.Equal(8192, first.Length);
        Assert.True(lines.TryReadLine(out var second, out var secondEnding));
        Assert.Equal("short", second.ToString());
        Assert.Equal(LineEnding.Newline, secondEnding);
        Assert.False(lines.TryReadLine(out _, out _));
        Assert.Equal(8192, lines.BufferLength);
    }

    /// <summary>Hands out at most a few characters per read, like a slow pipe.</summary>
    private sealed class TrickleReader(string text, int chunk) : TextReader
    {
        private int pos;

        public override int Read(char[] buffer, int index, int count)
        {
            var n = Math.Min(Math.Min(count, chunk), text.Length - pos);
            text.CopyTo(pos, buffer, index, n);
            pos += n;
            return n;
        }
    }
}
