using SmmuLab.Replay.Engine;

namespace SmmuLab.Replay.Tests.Engine;

/// <summary>Parsing on a thread of its own, ahead of the replay, changes nothing but the speed.</summary>
public sealed class ParseAheadTests
{
    [Theory]
    [InlineData("nvme-like.trace", ReplayMode.Strict)]
    [InlineData("nic-like.trace", ReplayMode.Deferred)]
    public void Example_traces_report_the_same_with_and_without(string name, ReplayMode mode)
    {
        var text = Replays.ExampleTrace(name);

        var inline = Run(text, mode, parseAhead: false);
        var ahead = Run(text, mode, parseAhead: true);

        Assert.Equal(inline.Describe(), ahead.Describe());
        Assert.Equal(inline.Diagnostics.Summarize(), ahead.Diagnostics.Summarize());
    }

    [Fact]
    public void Many_batches_with_problems_lost_events_and_a_cut_last_line_report_the_same()
    {
        var text = GeneratedTrace.Build(20_000, out _);
        text = text[..^30];

        var inline = Run(text, ReplayMode.Strict, parseAhead: false);
        var ahead = Run(text, ReplayMode.Strict, parseAhead: true);

        Assert.Equal(ReplayEnd.Truncated, ahead.End);
        Assert.Equal(inline.Describe(), ahead.Describe());
        Assert.Equal(inline.Diagnostics.Summarize(), ahead.Diagnostics.Summarize());
    }

    [Fact]
    public void A_read_error_of_the_parsing_thread_ends_the_replay_after_the_events_before_it()
    {
        var text = GeneratedTrace.Build(5_000, out _);

        var inline = ReplayEngine.Run(new FailingStream(text, 300_000), ReplayMachineSpec.Default, new ReplayOptions { ParseAhead = false });
        var ahead = ReplayEngine.Run(new FailingStream(text, 300_000), ReplayMachineSpec.Default, new ReplayOptions { ParseAhead = true });

        Assert.Equal((ReplayEnd.ReadError, "disk on fire"), (ahead.End, ahead.ReadError));
        Assert.Equal(inline.Describe(), ahead.Describe());
        Assert.True(ahead.Diagnostics.Lines > 1000);
    }

    private static ReplayReport Run(string text, ReplayMode mode, bool parseAhead) =>
        ReplayEngine.Run(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), ReplayMachineSpec.Default, new ReplayOptions { Mode = mode, ParseAhead = parseAhead });

    private sealed class FailingStream(string text, int failAfter) : MemoryStream(System.Text.Encoding.UTF8.GetBytes(text))
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Position >= failAfter)
            {
                throw new IOException("disk on fire");
            }

            return base.Read(buffer, offset, (int)Math.Min(count, failAfter - Position));
        }
    }
}
