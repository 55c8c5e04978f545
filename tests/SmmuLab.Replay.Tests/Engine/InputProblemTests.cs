using SmmuLab.Replay.Diagnostics;
using SmmuLab.Replay.Engine;

namespace SmmuLab.Replay.Tests.Engine;

/// <summary>Damaged input: reported with its line number, the replay goes on or ends with the partial result.</summary>
public sealed class InputProblemTests
{
    [Fact]
    public void A_corrupt_line_mid_file_is_reported_by_number_and_the_replay_continues()
    {
        var t = new HandTrace()
            .Map(0, 0xFFFF_F000, 0x8_0000_1000)
            .Raw("\u0001\u0002\u0003 \u00ff\u00fe binary junk")
            .Map(10, 0xFFFF_E000, 0x8_0000_2000)
            .Line(20, "dma_map_page", $"{HandTrace.Nvme} dir=FROM_DEVICE dma_addr=ffffd000 size=4096")
            .Unmap(30, 0xFFFF_F000)
            .Unmap(40, 0xFFFF_E000);

        var r = Replays.Run(t);

        Assert.Equal(ReplayEnd.Complete, r.End);
        Assert.Equal(7, Assert.Single(r.Diagnostics.Samples(TraceProblem.Garbage)).LineNumber);
        var malformed = Assert.Single(r.Diagnostics.Samples(TraceProblem.MalformedPayload));
        Assert.Equal(10, malformed.LineNumber);
        Assert.Equal((2L, 2L, 2L), (r.Counters.Maps, r.Counters.Unmaps, r.ReplayCost.Syncs));
    }

    [Fact]
    public void A_truncated_file_ends_with_the_partial_result()
    {
        var text = Replays.ThreeMapsThreeUnmaps().ToString();
        var cut = text[..(text.Length - 20)];

        var r = Replays.Run(cut);

        Assert.Equal(ReplayEnd.Truncated, r.End);
        var sample = Assert.Single(r.Diagnostics.Samples(TraceProblem.TruncatedLine));
        Assert.Equal(16, sample.LineNumber);
        Assert.Equal((3L, 2L, 2L), (r.Counters.Maps, r.Counters.Unmaps, r.ReplayCost.Syncs));

        // The last iommu unmap made it; its dma_unmap_page did not: it is not applied on its own.
        Assert.Equal(1, r.Counters.IommuUnmapsOfDmaMappings);
    }

    [Fact]
    public void A_read_error_ends_the_replay_with_what_was_read()
    {
        var text = Replays.ThreeMapsThreeUnmaps().ToString();

        var r = ReplayEngine.Run(new FailingReader(text, failAfter: 200), ReplayMachineSpec.Default);

        Assert.Equal(ReplayEnd.ReadError, r.End);
        Assert.Equal("disk on fire", r.ReadError);
        Assert.True(r.Diagnostics.Lines < 16);
    }

    [Fact]
    public void Unmaps_of_mappings_made_before_the_trace_are_counted_with_samples()
    {
        var t = new HandTrace().Unmap(0, 0x1234_5000, iommu: false).Map(10, 0xFFFF_F000, 0x8_0000_1000, iommu: false)
            .Map(20, 0xFFFF_F000, 0x8_0000_1000, iommu: false);

        var r = Replays.Run(t);

        var s = Assert.Single(r.Problems.Samples(ReplayProblem.UnmatchedUnmap));
        Assert.Equal((5L, "dma_unmap_page 0000:01:00.0 0x12345000"), (s.LineNumber, s.Text));
        Assert.Equal(1, r.Problems.Count(ReplayProblem.AddressStillMapped));
    }

    [Fact]
    public void Events_on_CPUs_beyond_the_header_count_are_folded()
    {
        var t = new HandTrace(cpus: 2).Map(0, 0xFFFF_F000, 0x8_0000_1000, cpu: 3, iommu: false).Unmap(10, 0xFFFF_F000, cpu: 3, iommu: false);

        var r = Replays.Run(t);
        var given = Replays.Run(t.ToString(), cpus: 8);

        Assert.Equal((2, "header", 2L), (r.CpuCount, r.CpuCountSource, r.Counters.FoldedCpuEvents));
        Assert.Equal((8, "option", 0L), (given.CpuCount, given.CpuCountSource, given.Counters.FoldedCpuEvents));
        Assert.Equal(1, r.Counters.Unmaps);
    }

    [Fact]
    public void Without_a_header_the_default_CPU_count_is_used()
    {
        var t = string.Join('\n', Replays.ThreeMapsThreeUnmaps().ToString().Split('\n').Where(l => !l.StartsWith('#')));

        var r = Replays.Run(t);

        Assert.Equal((ReplayOptions.DefaultCpuCount, "default"), (r.CpuCount, r.CpuCountSource));
        Assert.Equal(3, r.Counters.Unmaps);
    }

    private sealed class FailingReader(string text, int failAfter) : TextReader
    {
        private int position;

        public override int Read(char[] buffer, int index, int count)
        {
            if (position >= failAfter)
            {
                throw new IOException("disk on fire");
            }

            var n = Math.Min(Math.Min(count, failAfter - position), text.Length - position);
            text.CopyTo(position, buffer, index, n);
            position += n;
            return n;
        }

        public override int Read(Span<char> buffer)
        {
            var array = new char[buffer.Length];
            var n = Read(array, 0, array.Length);
            array.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
    }
}
