using SmmuLab.Driver.Dma;
using SmmuLab.Driver.PageTables;
using static SmmuLab.Driver.Tests.EndToEnd.Expect;

namespace SmmuLab.Driver.Tests.EndToEnd.Dma;

/// <summary>Single mappings: offsets, sizes, permissions, masks and the 32-bit-first rule (reference E.2, F.1).</summary>
public sealed class IommuDmaMapTests
{
    private const ulong Buffer = 0x1_0000_0000;

    [Fact]
    public void The_DMA_address_keeps_the_offset_and_the_size_covers_whole_granules()
    {
        using var t = new DmaTestMachine();

        // 0x200 bytes at offset 0xF00 straddle two pages: two pages, 2-aligned, below 4 GiB.
        var addr = t.Dma.MapPhys(t.Device, 0, Buffer + 0xF00, 0x200, DmaDirection.Bidirectional);
        Assert.Equal(0xFFFF_EF00UL, addr);
        Assert.Equal(Buffer + 0xF00, t.Domain.IovaToPhys(addr));
        Assert.Equal(Buffer + 0x1000, t.Domain.IovaToPhys(0xFFFF_F000));

        // The unmap strips the offset and invalidates both pages in one range: 2 pages = 1 << 1,
        // so SCALE 1, NUM 0.
        t.Dma.UnmapPhys(t.Device, 0, addr, 0x200, DmaDirection.Bidirectional);
        Stream(t.Commands.Take(), NhVa(DmaTestMachine.Asid, 0xFFFF_E000, leaf: true, tg: 1, ttl: 3, scale: 1, num: 0), Sync);
    }

    [Fact]
    public void Map_page_adds_the_offset_to_the_page()
    {
        using var t = new DmaTestMachine();
        Assert.Equal(0xFFFF_F010UL, t.Dma.MapPage(t.Device, 0, Buffer, 0x10, 0x20, DmaDirection.Bidirectional));
        Assert.Equal(Buffer + 0x10, t.Domain.IovaToPhys(0xFFFF_F010));
    }

    [Fact]
    public void The_direction_gives_the_permissions()
    {
        Assert.Equal(IommuProt.Read | IommuProt.Write | IommuProt.Cache, IommuDma.Prot(DmaDirection.Bidirectional, true, DmaAttributes.None));
        Assert.Equal(IommuProt.Read, IommuDma.Prot(DmaDirection.ToDevice, false, DmaAttributes.None));
        Assert.Equal(IommuProt.Write | IommuProt.Priv | IommuProt.Cache, IommuDma.Prot(DmaDirection.FromDevice, true, DmaAttributes.Privileged));
        Assert.Equal(IommuProt.Read | IommuProt.Mmio, IommuDma.Prot(DmaDirection.ToDevice, true, DmaAttributes.Mmio));
        Assert.Throws<ArgumentException>(() => IommuDma.Prot(DmaDirection.None, true, DmaAttributes.None));

        // A device reads a TO_DEVICE buffer but cannot write it.
        using var t = new DmaTestMachine();
        var addr = t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.ToDevice);
        Assert.True(t.Node.Endpoint.Read(addr, new byte[16]).Ok);
        Assert.False(t.Node.Endpoint.Write(addr, new byte[16]).Ok);
    }

    [Fact]
    public void A_PCI_device_uses_32_bit_IOVAs_first_then_says_which_width_it_falls_back_to()
    {
        // Everything below 4 GiB but the top page is reserved.
        using var t = new DmaTestMachine(device: new DmaDeviceOptions { DmaMask = ulong.MaxValue }, reserved: [(0x1000, 0xFFFF_EFFF)]);
        Assert.Equal(0xFFFF_F000UL, t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional));
        Assert.Empty(t.Device.Notices);

        // 4 GiB is full: the limit is the 48-bit aperture, so "Using 48-bit DMA addresses" and the top of it.
        Assert.Equal(0xFFFF_FFFF_F000UL, t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional));
        Assert.Equal(["Using 48-bit DMA addresses"], t.Device.Notices);
        Assert.False(t.Device.Pci32BitWorkaround);

        // For good: no second attempt below 4 GiB, no second notice.
        Assert.Equal(0xFFFF_FFFF_E000UL, t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional));
        Assert.Single(t.Device.Notices);
        Assert.Equal(1, t.Dma.Statistics.Fallbacks32Bit);
    }

    [Fact]
    public void Forcedac_and_non_PCI_devices_start_at_the_top_of_their_limit()
    {
        using var t = new DmaTestMachine(device: new DmaDeviceOptions { DmaMask = ulong.MaxValue, ForceDac = true });
        Assert.Equal(0xFFFF_FFFF_F000UL, t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional));

        // A 40-bit mask below a 36-bit bus limit: the bus limit wins.
        var platform = t.Dma.AddDevice(new DmaDeviceOptions { IsPci = false, DmaMask = (1UL << 40) - 1, BusDmaLimit = (1UL << 36) - 1 });
        Assert.Equal(0xF_FFFF_F000UL, t.Dma.MapPhys(platform, 0, Buffer, 0x1000, DmaDirection.Bidirectional));
        Assert.Empty(platform.Notices);
    }

    [Fact]
    public void A_refused_map_frees_its_IOVA_at_once()
    {
        using var t = new DmaTestMachine();

        // Beyond the output address size: the page tables refuse.
        Assert.Equal(IommuDma.MappingError, t.Dma.MapPhys(t.Device, 0, 1UL << 60, 0x1000, DmaDirection.Bidirectional));
        Assert.Equal(1, t.Dma.Statistics.MapFailures);
        Assert.Equal(1, t.Dma.Iovad.CachedFrames(0, 0));
        Assert.Equal(0xFFFF_F000UL, t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional));
    }

    [Fact]
    public void IOVA_space_exhaustion_is_a_mapping_error()
    {
        // Only the top two pages below 4 GiB are left.
        using var t = new DmaTestMachine(reserved: [(0x1000, 0xFFFF_DFFF)]);
        Assert.NotEqual(IommuDma.MappingError, t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional));
        Assert.NotEqual(IommuDma.MappingError, t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional));
        Assert.Equal(IommuDma.MappingError, t.Dma.MapPhys(t.Device, 0, Buffer, 0x1000, DmaDirection.Bidirectional));
        Assert.Equal(1, t.Dma.Iovad.Statistics.RcacheFlushes);
    }
}
