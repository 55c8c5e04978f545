using SmmuLab.Driver.Dma;
using SmmuLab.TestSupport.Memory;
using static SmmuLab.Driver.Tests.EndToEnd.Expect;

namespace SmmuLab.Driver.Tests.EndToEnd.Dma;

/// <summary>
/// Coherent allocations (reference F.3): page chunks of the orders the domain's page sizes allow
/// (4 KiB and 2 MiB here; 1 GiB is above MAX_PAGE_ORDER), one IOVA below the 32-bit coherent mask.
/// </summary>
public sealed class IommuDmaCoherentTests
{
    private const ulong Base = 0x2_0000_0000;

    [Fact]
    public void A_small_buffer_is_single_pages_under_one_IOVA()
    {
        var pages = new TestDmaAllocator(start: 0x2_0000_0000);
        using var t = new DmaTestMachine(pages: pages);
        var buffer = t.Dma.AllocCoherent(t.Device, 0, 0x2800)!;

        // 0x2800 rounds to 3 pages; 3 < 512, so single pages, which the bump allocator places
        // back to back: one run, one map. 3 pages reserve 4: IOVA 0xFFFF_C000.
        Assert.Equal(0xFFFF_C000UL, buffer.DmaAddress);
        Assert.Equal([(Base, 0x1000UL), (Base + 0x1000, 0x1000UL), (Base + 0x2000, 0x1000UL)], buffer.Chunks);
        Assert.Equal(1, t.Dma.Statistics.IommuMaps);
        Assert.Equal(Base + 0x2000, t.Domain.IovaToPhys(0xFFFF_E000));

        // Free: a strict unmap of the 3 pages, then the pages go back.
        t.Dma.FreeCoherent(t.Device, 0, buffer);
        Stream(t.Commands.Take(), NhVa(DmaTestMachine.Asid, 0xFFFF_C000, leaf: true, tg: 1, ttl: 3, scale: 0, num: 2), Sync);
        Assert.Empty(pages.Live);
        Assert.Throws<InvalidOperationException>(() => t.Dma.FreeCoherent(t.Device, 0, buffer));
    }

    [Fact]
    public void A_large_buffer_takes_a_2_mib_chunk_first()
    {
        var pages = new TestDmaAllocator(start: 0x2_0000_0000);
        using var t = new DmaTestMachine(pages: pages);
        var buffer = t.Dma.AllocCoherent(t.Device, 0, 0x20_1000)!;

        // 513 pages: one 512-page chunk (2 MiB aligned), then one page. 513 pages are not
        // rounded but are 1024-page aligned: (0x100000 − 513) & ~1023 = 0xFFC00.
        Assert.Equal([(Base, 0x20_0000UL), (Base + 0x20_0000, 0x1000UL)], buffer.Chunks);
        Assert.Equal(0xFFC0_0000UL, buffer.DmaAddress);
        Assert.Equal(Base + 0x20_0000, t.Domain.IovaToPhys(0xFFE0_0000));
    }

    [Fact]
    public void A_failed_high_order_is_not_tried_again_for_the_same_buffer()
    {
        var pages = new TestDmaAllocator(start: 0x2_0000_0000, refuseAbove: 0x1000);
        using var t = new DmaTestMachine(pages: pages);
        var buffer = t.Dma.AllocCoherent(t.Device, 0, 0x20_1000)!;
        Assert.Equal(513, buffer.Chunks.Count);
        Assert.All(buffer.Chunks, c => Assert.Equal(0x1000UL, c.Bytes));
    }

    [Fact]
    public void Force_contiguous_is_one_chunk_mapped_like_a_single_mapping()
    {
        var pages = new TestDmaAllocator(start: 0x2_0000_0000);
        using var t = new DmaTestMachine(pages: pages);
        var buffer = t.Dma.AllocCoherent(t.Device, 0, 0x3000, DmaAttributes.ForceContiguous)!;
        Assert.Equal([(Base, 0x3000UL)], buffer.Chunks);
        Assert.Equal(0xFFFF_C000UL, buffer.DmaAddress);
    }

    [Fact]
    public void No_memory_means_no_buffer_and_nothing_left_behind()
    {
        var pages = new TestDmaAllocator(start: 0x2_0000_0000, refuseAbove: 0);
        using var t = new DmaTestMachine(pages: pages);
        Assert.Null(t.Dma.AllocCoherent(t.Device, 0, 0x1000));
        Assert.Equal(1, t.Dma.Statistics.MapFailures);
        Assert.Equal(0, t.Dma.Iovad.Statistics.Allocations);
    }

    [Fact]
    public void The_coherent_mask_bounds_the_IOVA()
    {
        var pages = new TestDmaAllocator(start: 0x2_0000_0000);
        using var t = new DmaTestMachine(pages: pages, device: new DmaDeviceOptions { IsPci = false, DmaMask = ulong.MaxValue, CoherentDmaMask = 0xFF_FFFF });
        Assert.Equal(0xFF_F000UL, t.Dma.AllocCoherent(t.Device, 0, 0x1000)!.DmaAddress);
        Assert.Equal(0xFFFF_FFFF_F000UL, t.Dma.MapPhys(t.Device, 0, Base, 0x1000, DmaDirection.ToDevice));
    }
}
