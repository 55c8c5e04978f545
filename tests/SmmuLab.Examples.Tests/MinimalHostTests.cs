using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Examples.Tests;

public class MinimalHostTests
{
    [Theory]
    [InlineData(ConsumptionMode.Inline)]
    [InlineData(ConsumptionMode.FreeRunning)]
    public void Example_host_translates_then_faults_after_unmap_and_TLBI(ConsumptionMode mode)
    {
        var log = new StringWriter();
        var outcome = MinimalHost.Run(log, mode);

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Problems) + Environment.NewLine + log);

        // Mapped: every byte translated to the page the guest mapped.
        Assert.True(outcome.MappedWrite.Ok);
        Assert.Equal(15UL, outcome.MappedWrite.BytesTransferred);
        Assert.Equal([outcome.PagePa + outcome.DmaOffset], outcome.MappedDmaPhysicalAddresses);
        Assert.True(outcome.StaleWrite.Ok);

        // Unmapped and invalidated: F_TRANSLATION for the StreamID and the input address.
        Assert.False(outcome.UnmappedWrite.Ok);
        Assert.Equal(EventId.F_TRANSLATION, outcome.UnmappedWrite.Fault);
        var ev = Assert.Single(outcome.Events);
        Assert.Equal(EventId.F_TRANSLATION, ev.Id);
        Assert.Equal(outcome.StreamId, ev.Sid);
        Assert.Equal(outcome.Iova + outcome.DmaOffset, ev.Address);
        Assert.False(ev.IsRead);
        Assert.Equal(1, outcome.EventQueueInterrupts);
        Assert.Equal([MinimalHost.EventMsiData], outcome.Msis);
    }

    [Fact]
    public void Listener_hears_the_TLBI_and_the_host_drops_its_window()
    {
        var outcome = MinimalHost.Run(TextWriter.Null);

        var tlbi = Assert.Single(outcome.Invalidations, s => s.Opcode == Opcode.CMD_TLBI_NH_VA);
        Assert.False(tlbi.All);
        Assert.True(tlbi.Covers(outcome.StreamId, null, outcome.Iova, outcome.Iova + 0xFFF));
        Assert.Null(tlbi.Asid); // NH_VA removes global entries of every ASID too
        Assert.Contains(outcome.Invalidations, s => s.Opcode == Opcode.CMD_CFGI_STE && s.FirstStreamId == outcome.StreamId && s.LastStreamId == outcome.StreamId);
        Assert.Contains(outcome.Invalidations, s => s.Opcode is null && s.All);
        Assert.Equal((1, 0), outcome.HostWindows);
        Assert.Equal(1, outcome.HostWindowHits);
    }

    [Fact]
    public void Observer_sees_walk_then_TLB_hit_then_fault()
    {
        var outcome = MinimalHost.Run(TextWriter.Null);

        // The mapped write walks; the read back, the host's lookup and the stale write hit the TLB; the last write walks and faults.
        Assert.Equal(
            [TranslationPath.Walk, TranslationPath.TlbHit, TranslationPath.TlbHit, TranslationPath.TlbHit, TranslationPath.Walk],
            outcome.Translations.Select(t => t.Path));
        Assert.Equal([null, null, null, null, EventId.F_TRANSLATION], outcome.Translations.Select(t => t.Fault));

        // Reset: CFGI_ALL, TLBI_NSNH_ALL, SYNC; stream: CFGI_STE, SYNC; unmap: TLBI_NH_VA, SYNC.
        Assert.Equal((7, 3), outcome.Consumed);
    }

    [Fact]
    public void Program_log_ends_as_expected()
    {
        var log = new StringWriter();
        MinimalHost.Run(log);

        var lines = log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(lines, l => l.Contains("UNEXPECTED", StringComparison.Ordinal));
        Assert.Equal("result: as expected", lines[^1]);
    }
}
