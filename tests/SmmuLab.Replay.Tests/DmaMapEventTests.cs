using SmmuLab.Replay.Events;
using SmmuLab.Replay.Parsing;

namespace SmmuLab.Replay.Tests;

/// <summary>The single-mapping events of include/trace/events/dma.h, every generation.</summary>
public class DmaMapEventTests
{
    [Fact]
    public void Map_phys_current_format_with_its_context()
    {
        // >= ~6.18 (dma_map_phys), tracefs trace, irq-info on, pid width 7.
        var record = TraceText.Single(
            "     kworker/2:1-1234    [002] ..... 12345.678901: dma_map_phys: 0000:01:00.0 dir=FROM_DEVICE dma_addr=fffff000 size=4096 phys_addr=1234567000 attrs=");
        Assert.Equal(1, record.LineNumber);
        Assert.Equal(
            new TraceContext("kworker/2:1", 1234, null, 2, new LatencyFlags('.', '.', '.', 0, 0), TraceTimestamp.FromNanoseconds(12345_678901000)),
            record.Context);
        Assert.Equal(
            new DmaMapEvent(TraceEventKind.DmaMapPhys, "0000:01:00.0", DmaDirection.FromDevice, 0xfffff000, 4096, 0x12_3456_7000, DmaAttributes.None),
            record.Event);
        Assert.True(record.Event.AffectsIommu);
        Assert.Equal("0000:01:00.0", record.Event.Device);
    }

    [Fact]
    public void Map_phys_with_attrs_and_MMIO()
    {
        // >= ~6.18: attrs joined with '|', MMIO replaces dma_map_resource.
        var ev = TraceText.Event<DmaMapEvent>(
            "         fio-4021    [003] ..... 5000.123456: dma_map_phys: 0000:03:00.0 dir=BIDIRECTIONAL dma_addr=fe000000 size=65536 phys_addr=4000000000 attrs=SKIP_CPU_SYNC|WEAK_ORDERING|MMIO");
        Assert.Equal(
            new DmaMapEvent(TraceEventKind.DmaMapPhys, "0000:03:00.0", DmaDirection.Bidirectional, 0xfe000000, 65536, 0x40_0000_0000,
                DmaAttributes.SkipCpuSync | DmaAttributes.WeakOrdering | DmaAttributes.Mmio),
            ev);
    }

    [Fact]
    public void Map_page_and_map_resource_of_6_13_to_6_17()
    {
        // ~6.13..6.17: dma_map_page and dma_map_resource (same class as dma_map_phys), platform device.
        var page = TraceText.Event<DmaMapEvent>(
            "  irq/45-eth0-612     [001] d.s1. 77.000100: dma_map_page: ff0a0000.ethernet dir=TO_DEVICE dma_addr=f8001042 size=1514 phys_addr=8a3b4042 attrs=");
        Assert.Equal(
            new DmaMapEvent(TraceEventKind.DmaMapPage, "ff0a0000.ethernet", DmaDirection.ToDevice, 0xf8001042, 1514, 0x8a3b4042, DmaAttributes.None),
            page);

        var resource = TraceText.Event<DmaMapEvent>(
            "       dmatest-300     [000] ..... 77.000200: dma_map_resource: fd500000.dma-controller dir=BIDIRECTIONAL dma_addr=fffe0000 size=4096 phys_addr=fe200000 attrs=SKIP_CPU_SYNC");
        Assert.Equal(
            new DmaMapEvent(TraceEventKind.DmaMapResource, "fd500000.dma-controller", DmaDirection.Bidirectional, 0xfffe0000, 4096, 0xfe200000,
                DmaAttributes.SkipCpuSync),
            resource);
    }

    [Fact]
    public void Map_failure_carries_the_error_address()
    {
        // DMA_MAPPING_ERROR is all ones: the event fires after the failed map op.
        var ev = TraceText.Event<DmaMapEvent>(
            "         fio-4021    [003] ..... 5000.123456: dma_map_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=ffffffffffffffff size=4096 phys_addr=8a000000 attrs=NO_WARN");
        Assert.True(ev.IsMappingError);
        Assert.False(ev.AffectsIommu);
        Assert.Equal(DmaAttributes.NoWarn, ev.Attrs);
    }

    [Fact]
    public void Unmap_phys_unmap_page_unmap_resource()
    {
        // >= ~6.18 dma_unmap_phys.
        Assert.Equal(
            new DmaUnmapEvent(TraceEventKind.DmaUnmapPhys, "0000:01:00.0", DmaDirection.FromDevice, 0xfffff000, 4096, DmaAttributes.None),
            TraceText.Event<DmaUnmapEvent>("     kworker/2:1-1234    [002] ..... 12345.679001: dma_unmap_phys: 0000:01:00.0 dir=FROM_DEVICE dma_addr=fffff000 size=4096 attrs="));

        // ~6.13..6.17 dma_unmap_page, dma_unmap_resource.
        Assert.Equal(
            new DmaUnmapEvent(TraceEventKind.DmaUnmapPage, "ff0a0000.ethernet", DmaDirection.ToDevice, 0xf8001042, 1514, DmaAttributes.None),
            TraceText.Event<DmaUnmapEvent>("          <idle>-0       [001] ..s1. 77.000900: dma_unmap_page: ff0a0000.ethernet dir=TO_DEVICE dma_addr=f8001042 size=1514 attrs="));
        Assert.Equal(
            new DmaUnmapEvent(TraceEventKind.DmaUnmapResource, "fd500000.dma-controller", DmaDirection.Bidirectional, 0xfffe0000, 4096, DmaAttributes.SkipCpuSync),
            TraceText.Event<DmaUnmapEvent>("       dmatest-300     [000] ..... 77.000300: dma_unmap_resource: fd500000.dma-controller dir=BIDIRECTIONAL dma_addr=fffe0000 size=4096 attrs=SKIP_CPU_SYNC"));
    }

    [Fact]
    public void Trace_cmd_report_map_and_unmap()
    {
        // trace-cmd report of a ~6.13 kernel: same text after the padded name.
        var (records, diagnostics) = TraceText.Parse(
            "version = 6\n" +
            "cpus=4\n" +
            "             fio-4021  [003]  5000.123456: dma_map_page:         0000:01:00.0 dir=FROM_DEVICE dma_addr=fff80000 size=131072 phys_addr=9c000000 attrs=\n" +
            "             fio-4021  [003]  5000.123501: dma_unmap_page:       0000:01:00.0 dir=FROM_DEVICE dma_addr=fff80000 size=131072 attrs=\n");
        Assert.Equal(0, diagnostics.NotUnderstood);
        Assert.Equal(2, diagnostics.HeaderLines);
        Assert.Equal(2, records.Count);
        Assert.Equal(new TraceContext("fio", 4021, null, 3, null, TraceTimestamp.FromNanoseconds(5000_123456000)), records[0].Context);
        Assert.Equal(3, records[0].LineNumber);
        Assert.Equal(
            new DmaMapEvent(TraceEventKind.DmaMapPage, "0000:01:00.0", DmaDirection.FromDevice, 0xfff80000, 131072, 0x9c000000, DmaAttributes.None),
            records[0].Event);
        Assert.Equal(
            new DmaUnmapEvent(TraceEventKind.DmaUnmapPage, "0000:01:00.0", DmaDirection.FromDevice, 0xfff80000, 131072, DmaAttributes.None),
            records[1].Event);
        Assert.Equal(4, records[1].LineNumber);
    }

    [Fact]
    public void Fork_variant_fields_by_name()
    {
        // A non-upstream dma_map_page: "%s page=%p offset=%zu size=%zu dir=%s addr=%llx attrs=%s".
        Assert.Equal(
            new DmaMapEvent(TraceEventKind.DmaMapPage, "0000:01:00.0", DmaDirection.FromDevice, 0xfffff000, 4096, null, DmaAttributes.None),
            TraceText.Event<DmaMapEvent>("         fio-4021    [003] ..... 1.000000: dma_map_page: 0000:01:00.0 page=00000000deadbeef offset=0 size=4096 dir=FROM_DEVICE addr=fffff000 attrs="));
        Assert.Equal(
            new DmaUnmapEvent(TraceEventKind.DmaUnmapPage, "0000:01:00.0", DmaDirection.FromDevice, 0xfffff000, 4096, DmaAttributes.None),
            TraceText.Event<DmaUnmapEvent>("         fio-4021    [003] ..... 1.000100: dma_unmap_page: 0000:01:00.0 addr=fffff000 size=4096 dir=FROM_DEVICE attrs="));
    }

    [Theory]
    [InlineData("WEAK_ORDERING", DmaAttributes.WeakOrdering)]
    [InlineData("WRITE_COMBINE|NO_KERNEL_MAPPING", DmaAttributes.WriteCombine | DmaAttributes.NoKernelMapping)]
    [InlineData("FORCE_CONTIGUOUS|ALLOC_SINGLE_PAGES|NO_WARN|PRIVILEGED",
        DmaAttributes.ForceContiguous | DmaAttributes.AllocSinglePages | DmaAttributes.NoWarn | DmaAttributes.Privileged)]
    [InlineData("CACHELINES_OVERLAP|REQUIRE_COHERENT|CC_SHARED|ALLOC_CC_SHARED",
        DmaAttributes.CachelinesOverlap | DmaAttributes.RequireCoherent | DmaAttributes.CcShared | DmaAttributes.AllocCcShared)]
    [InlineData("SKIP_CPU_SYNC|0x100000", DmaAttributes.SkipCpuSync | DmaAttributes.Unrecognized)]
    [InlineData("SOMETHING_NEW", DmaAttributes.Unrecognized)]
    public void Attrs_names(string attrs, DmaAttributes expected)
    {
        var ev = TraceText.Event<DmaUnmapEvent>($"         fio-4021    [003] ..... 1.000000: dma_unmap_phys: 0000:01:00.0 dir=NONE dma_addr=1000 size=4096 attrs={attrs}");
        Assert.Equal(expected, ev.Attrs);
        Assert.Equal(DmaDirection.None, ev.Direction);
    }

    [Fact]
    public void Numeric_direction_from_an_unresolved_enum()
    {
        var ev = TraceText.Event<DmaUnmapEvent>("             fio-4021  [003]  1.000000: dma_unmap_page:       0000:01:00.0 dir=2 dma_addr=1000 size=4096 attrs=");
        Assert.Equal(DmaDirection.FromDevice, ev.Direction);
    }

    [Fact]
    public void Sync_single_does_not_affect_the_iommu()
    {
        // dma_sync_single class, all generations.
        var cpu = TraceText.Event<DmaSyncSingleEvent>(
            "  irq/45-eth0-612     [001] d.s1. 77.000500: dma_sync_single_for_cpu: ff0a0000.ethernet dir=FROM_DEVICE dma_addr=f8002000 size=1536");
        Assert.Equal(new DmaSyncSingleEvent(TraceEventKind.DmaSyncSingleForCpu, "ff0a0000.ethernet", DmaDirection.FromDevice, 0xf8002000, 1536), cpu);
        Assert.False(cpu.AffectsIommu);

        var dev = TraceText.Event<DmaSyncSingleEvent>(
            "  irq/45-eth0-612     [001] d.s1. 77.000600: dma_sync_single_for_device: ff0a0000.ethernet dir=FROM_DEVICE dma_addr=f8002000 size=1536");
        Assert.Equal(new DmaSyncSingleEvent(TraceEventKind.DmaSyncSingleForDevice, "ff0a0000.ethernet", DmaDirection.FromDevice, 0xf8002000, 1536), dev);
        Assert.False(dev.AffectsIommu);
    }
}
