using SmmuLab.Replay.Events;

namespace SmmuLab.Replay.Tests;

/// <summary>include/trace/events/iommu.h, before and after the iova-range change (~v5.17), and a vendor variant.</summary>
public class IommuEventTests
{
    [Fact]
    public void Group_events()
    {
        // "IOMMU: groupID=%d device=%s".
        var add = TraceText.Event<IommuGroupEvent>("         swapper/0-1       [000] ..... 1.200000: add_device_to_group: IOMMU: groupID=7 device=0000:01:00.0");
        Assert.Equal(new IommuGroupEvent(TraceEventKind.IommuAddDeviceToGroup, 7, "0000:01:00.0"), add);
        Assert.False(add.AffectsIommu);

        var remove = TraceText.Event<IommuGroupEvent>("       bash-2000    [001] ..... 900.000000: remove_device_from_group: IOMMU: groupID=7 device=0000:01:00.0");
        Assert.Equal(new IommuGroupEvent(TraceEventKind.IommuRemoveDeviceFromGroup, 7, "0000:01:00.0"), remove);
    }

    [Fact]
    public void Attach_and_detach()
    {
        // "IOMMU: device=%s".
        var attach = TraceText.Event<IommuDeviceEvent>("         swapper/0-1       [000] ..... 1.200100: attach_device_to_domain: IOMMU: device=ff0a0000.ethernet");
        Assert.Equal(new IommuDeviceEvent(TraceEventKind.IommuAttachDeviceToDomain, "ff0a0000.ethernet"), attach);
        Assert.True(attach.AffectsIommu);

        var detach = TraceText.Event<IommuDeviceEvent>("             bash-2000  [001]   900.000100: detach_device_from_domain: IOMMU: device=ff0a0000.ethernet");
        Assert.Equal(new IommuDeviceEvent(TraceEventKind.IommuDetachDeviceFromDomain, "ff0a0000.ethernet"), detach);
    }

    [Fact]
    public void Map_with_and_without_the_range_end()
    {
        // >= ~5.17: "IOMMU: iova=0x%016llx - 0x%016llx paddr=0x%016llx size=%zu".
        var record = TraceText.Single(
            "     kworker/2:1-1234    [002] ..... 12345.678890: map: IOMMU: iova=0x00000000fffff000 - 0x0000000100000000 paddr=0x0000001234567000 size=4096");
        Assert.Equal(new IommuMapEvent(0xfffff000, 0x12_3456_7000, 4096, true, null), record.Event);
        Assert.Null(record.Event.Device);
        Assert.Equal(2, record.Context.Cpu);

        // Older: "IOMMU: iova=0x%016llx paddr=0x%016llx size=%zu".
        Assert.Equal(
            new IommuMapEvent(0xfffff000, 0x12_3456_7000, 4096, false, null),
            TraceText.Event<IommuMapEvent>("          <idle>-0     [000] d.h1   100.000001: map: IOMMU: iova=0x00000000fffff000 paddr=0x0000001234567000 size=4096"));
    }

    [Fact]
    public void Map_in_trace_cmd_report_with_system_prefix()
    {
        var ev = TraceText.Event<IommuMapEvent>(
            "             fio-4021  [003]  5000.123400: iommu:map:           IOMMU: iova=0x00000000fff80000 - 0x00000000fffa0000 paddr=0x000000009c000000 size=131072");
        Assert.Equal(new IommuMapEvent(0xfff80000, 0x9c000000, 131072, true, null), ev);
    }

    [Fact]
    public void Vendor_map_with_a_device()
    {
        // Vendor (Android) kernels: "IOMMU: dev=%s iova=0x%016llx paddr=0x%016llx size=%zu".
        var ev = TraceText.Event<IommuMapEvent>(
            "   composer-500     [004] ..... 20.000000: map: IOMMU: dev=ae00000.qcom,mdss_mdp iova=0x0000000000800000 paddr=0x00000000b0000000 size=1048576");
        Assert.Equal(new IommuMapEvent(0x800000, 0xb0000000, 1048576, false, "ae00000.qcom,mdss_mdp"), ev);
    }

    [Fact]
    public void Unmap_with_and_without_the_range_end()
    {
        // >= ~5.17: "IOMMU: iova=0x%016llx - 0x%016llx size=%zu unmapped_size=%zu".
        var current = TraceText.Event<IommuUnmapEvent>(
            "     kworker/2:1-1234    [002] ..... 12345.679100: unmap: IOMMU: iova=0x00000000fffff000 - 0x0000000100000000 size=4096 unmapped_size=4096");
        Assert.Equal(new IommuUnmapEvent(0xfffff000, 4096, 4096, true, null), current);
        Assert.True(current.AffectsIommu);

        // Older, and a partial unmap (block mapping larger than the request).
        Assert.Equal(
            new IommuUnmapEvent(0x40000000, 4096, 2097152, false, null),
            TraceText.Event<IommuUnmapEvent>("          <idle>-0     [000] d.h1   100.000100: unmap: IOMMU: iova=0x0000000040000000 size=4096 unmapped_size=2097152"));
    }

    [Fact]
    public void Io_page_fault_with_and_without_a_driver()
    {
        // "IOMMU:%s %s iova=0x%016llx flags=0x%04x": driver then device.
        var ev = TraceText.Event<IommuPageFaultEvent>(
            "          <idle>-0       [000] d.h1. 50.000000: io_page_fault: IOMMU:nvme 0000:01:00.0 iova=0x00000000deadb000 flags=0x0001");
        Assert.Equal(new IommuPageFaultEvent("nvme", "0000:01:00.0", 0xdeadb000, 1), ev);
        Assert.False(ev.AffectsIommu);

        // A device without a driver prints an empty driver string.
        Assert.Equal(
            new IommuPageFaultEvent("", "0000:05:00.0", 0x1000, 0),
            TraceText.Event<IommuPageFaultEvent>("          <idle>-0       [000] d.h1. 50.100000: io_page_fault: IOMMU: 0000:05:00.0 iova=0x0000000000001000 flags=0x0000"));
    }
}
