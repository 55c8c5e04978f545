using SmmuLab.Driver.Dma;
using static SmmuLab.Driver.Tests.EndToEnd.Expect;

namespace SmmuLab.Driver.Tests.EndToEnd.Dma;

/// <summary>
/// Strict and lazy unmaps as the SMMU sees them: the commands it consumed and what the device can
/// still reach. A 32-bit device's first page is IOVA 0xFFFF_F000 (top-down below 4 GiB). Stage 1
/// with RIL on 4 KiB pages: a one-page leaf invalidation is NH_VA TG 1, TTL 3, SCALE 0, NUM 0.
/// </summary>
public sealed class IommuDmaInvalidationTests
{
    private const ulong Buffer = 0x1_0000_0000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(10);

    [Fact]
    public void A_strict_unmap_invalidates_and_syncs_before_it_returns()
    {
        using var t = new DmaTestMachine();
        var addr = t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional);
        Assert.Equal(0xFFFF_F000UL, addr);
        Assert.Empty(t.Commands.Take()); // a map needs no invalidation

        t.Dma.UnmapPhys(t.Device, 0, addr, 0x1000, DmaDirection.Bidirectional);
        Stream(t.Commands.Take(), NhVa(DmaTestMachine.Asid, 0xFFFF_F000, leaf: true, tg: 1, ttl: 3, scale: 0, num: 0), Sync);

        // The IOVA was freed at once: the same CPU gets it back from its cache.
        Assert.Equal(addr, t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional));
        Assert.Equal(DmaDomainType.Dma, t.Dma.Type);
        Assert.Equal(1, t.Dma.Statistics.StrictUnmaps);
    }

    [Fact]
    public void A_lazy_unmap_emits_nothing_until_the_timer_flushes_the_whole_ASID()
    {
        using var t = new DmaTestMachine(DmaDomainType.DmaFq);
        Assert.Equal(DmaDomainType.DmaFq, t.Dma.Type);
        var addr = t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional);
        t.Dma.UnmapPhys(t.Device, 0, addr, 0x1000, DmaDirection.Bidirectional);
        Assert.Empty(t.Commands.Take());
        Assert.Null(t.Domain.IovaToPhys(addr)); // the PTE is gone all the same

        // The queued IOVA is not reusable yet: the next map takes the page below it.
        var second = t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional);
        Assert.Equal(0xFFFF_E000UL, second);

        t.Clock.Advance(Timeout - TimeSpan.FromTicks(1));
        Assert.Empty(t.Commands.Take());
        t.Clock.Advance(TimeSpan.FromTicks(1));
        Stream(t.Commands.Take(), NhAsid(DmaTestMachine.Asid), Sync);

        // Freed into CPU 0's cache by the timer: the next map on CPU 0 reuses it.
        Assert.Equal(addr, t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional));
        var s = t.Dma.Snapshot();
        Assert.Equal((1L, 1L, 1L, 0L), (s.TimeoutFlushes, s.DeferredUnmaps, s.EntriesFreed, s.QueueDepth));
    }

    [Fact]
    public void The_lazy_flush_also_invalidates_the_ATC_of_an_ATS_device()
    {
        using var t = new DmaTestMachine(DmaDomainType.DmaFq, ats: true);
        Assert.True(t.Node.Master.AtsEnabled);
        var addr = t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional);
        t.Dma.UnmapPhys(t.Device, 0, addr, 0x1000, DmaDirection.Bidirectional);
        Assert.Empty(t.Commands.Take());

        t.Clock.Advance(Timeout);

        // TLBI by ASID, CMD_SYNC, then the whole ATC of the StreamID (SIZE 52) and CMD_SYNC.
        Stream(t.Commands.Take(), NhAsid(DmaTestMachine.Asid), Sync, AtcInv(DmaTestMachine.Sid, 0, 0, 52), Sync);
    }

    [Fact]
    public void In_lazy_mode_the_device_keeps_its_cached_translation_until_the_flush()
    {
        using var t = new DmaTestMachine(DmaDomainType.DmaFq);
        var addr = t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.ToDevice);
        Assert.True(t.Node.Endpoint.Read(addr, new byte[8]).Ok); // fills the TLB

        t.Dma.UnmapPhys(t.Device, 0, addr, 0x1000, DmaDirection.ToDevice);
        Assert.True(t.Node.Endpoint.Read(addr, new byte[8]).Ok); // the non-strict window

        t.Clock.Advance(Timeout);
        Assert.False(t.Node.Endpoint.Read(addr, new byte[8]).Ok);
    }

    [Fact]
    public void In_strict_mode_the_device_loses_the_translation_at_unmap()
    {
        using var t = new DmaTestMachine();
        var addr = t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.ToDevice);
        Assert.True(t.Node.Endpoint.Read(addr, new byte[8]).Ok);
        t.Dma.UnmapPhys(t.Device, 0, addr, 0x1000, DmaDirection.ToDevice);
        Assert.False(t.Node.Endpoint.Read(addr, new byte[8]).Ok);
    }

    [Fact]
    public void The_256th_queued_unmap_of_a_CPU_flushes_once()
    {
        using var t = new DmaTestMachine(DmaDomainType.DmaFq);
        for (var i = 0; i < 255; i++)
        {
            var a = t.Dma.MapPhys(t.Device, 1, Buffer, 0x1000, DmaDirection.Bidirectional);
            t.Dma.UnmapPhys(t.Device, 1, a, 0x1000, DmaDirection.Bidirectional);
        }

        Assert.Empty(t.Commands.Take());
        Assert.Equal(255, t.Dma.FlushQueue!.DepthOn(1));

        var last = t.Dma.MapPhys(t.Device, 1, Buffer, 0x1000, DmaDirection.Bidirectional);
        t.Dma.UnmapPhys(t.Device, 1, last, 0x1000, DmaDirection.Bidirectional);
        Stream(t.Commands.Take(), NhAsid(DmaTestMachine.Asid), Sync);
        var s = t.Dma.Snapshot();
        Assert.Equal((1L, 0L, 255L, 1L), (s.FullFlushes, s.TimeoutFlushes, s.EntriesFreed, s.QueueDepth));
    }

    [Fact]
    public void Closing_with_a_final_flush_invalidates_once_and_linux_teardown_does_not()
    {
        using var t = new DmaTestMachine(DmaDomainType.DmaFq);
        var addr = t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional);
        t.Dma.UnmapPhys(t.Device, 0, addr, 0x1000, DmaDirection.Bidirectional);
        t.Dma.Close(flushQueued: true);
        Stream(t.Commands.Take(), NhAsid(DmaTestMachine.Asid), Sync);
        Assert.Equal(1, t.Dma.Snapshot().TeardownFlushes);

        using var u = new DmaTestMachine(DmaDomainType.DmaFq);
        var b = u.Dma.MapPhys(u.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional);
        u.Dma.UnmapPhys(u.Device, 0, b, 0x1000, DmaDirection.Bidirectional);
        u.Dma.Close(flushQueued: false);
        Assert.Empty(u.Commands.Take());
        Assert.Equal(1, u.Dma.Snapshot().EntriesDiscarded);
    }

    [Fact]
    public void A_lazy_domain_without_a_flush_queue_falls_back_to_strict()
    {
        using var m = new DmaTestMachine();
        var unsupported = new IommuDma(m.Domain, new IommuDmaOptions { Type = DmaDomainType.DmaFq, SupportsDeferredFlush = false });
        var failed = new IommuDma(m.Domain, new IommuDmaOptions { Type = DmaDomainType.DmaFq, FailFlushQueueSetup = true });
        Assert.Equal((DmaDomainType.Dma, DmaDomainType.Dma), (unsupported.Type, failed.Type));
        Assert.Null(failed.FlushQueue);

        // A strict domain can be made lazy later without replacing it (writing DMA-FQ to the group).
        Assert.True(m.Dma.TryEnableFlushQueue());
        Assert.Equal(DmaDomainType.DmaFq, m.Dma.Type);
        Assert.False(failed.TryEnableFlushQueue());
    }

    [Fact]
    public void Unmapping_what_is_not_mapped_warns_and_emits_nothing()
    {
        using var t = new DmaTestMachine();
        t.Dma.UnmapPhys(t.Device, 0, 0xFFFF_F000, 0x1000, DmaDirection.Bidirectional);
        Assert.Empty(t.Commands.Take());
        Assert.Equal((1L, 0L), (t.Dma.Statistics.UnmapWarnings, t.Dma.Statistics.Unmaps));
    }

    [Theory]
    [InlineData(DmaDomainType.Dma)]
    [InlineData(DmaDomainType.DmaFq)]
    public void An_unmap_within_one_page_clears_it_once_and_a_second_unmap_of_it_warns(DmaDomainType type)
    {
        // A buffer at an offset within its page: the unmap clears the page in the walk that finds
        // it, and the outcome is Linux's look-up-then-unmap: one invalidation when strict, a queued
        // IOVA when lazy, and a warning with nothing emitted when the page is no longer mapped.
        using var t = new DmaTestMachine(type);
        var addr = t.Dma.MapPhys(t.Device, 0, Buffer + 0x80, 0x100, DmaDirection.Bidirectional);
        Assert.Equal(0xFFFF_F080UL, addr);

        t.Dma.UnmapPhys(t.Device, 0, addr, 0x100, DmaDirection.Bidirectional);
        Assert.Null(t.Domain.IovaToPhys(addr));
        if (type == DmaDomainType.Dma)
        {
            Stream(t.Commands.Take(), NhVa(DmaTestMachine.Asid, 0xFFFF_F000, leaf: true, tg: 1, ttl: 3, scale: 0, num: 0), Sync);
        }
        else
        {
            Assert.Empty(t.Commands.Take());
        }

        t.Dma.UnmapPhys(t.Device, 0, addr, 0x100, DmaDirection.Bidirectional);
        Assert.Empty(t.Commands.Take());
        var s = t.Dma.Snapshot();
        Assert.Equal((1L, 1L), (s.UnmapWarnings, s.Unmaps));
        Assert.Equal(type == DmaDomainType.Dma ? (1L, 0L) : (0L, 1L), (s.StrictUnmaps, s.DeferredUnmaps));
    }
}
