using SmmuLab.Replay.Engine;

namespace SmmuLab.Replay.Tests.Engine;

/// <summary>The attribution rule of docs/replay.md for iommu map/unmap events, through the engine.</summary>
public sealed class AttributionTests
{
    private static string IommuMap(ulong iova, ulong size, ulong pa = 0x8_0000_0000) =>
        $"IOMMU: iova=0x{iova:x16} - 0x{iova + size:x16} paddr=0x{pa:x16} size={size}";

    private static string IommuUnmap(ulong iova, ulong size) =>
        $"IOMMU: iova=0x{iova:x16} - 0x{iova + size:x16} size={size} unmapped_size={size}";

    [Fact]
    public void Without_DMA_events_iommu_events_are_applied_to_the_attached_device()
    {
        var t = new HandTrace()
            .Line(0, "attach_device_to_domain", $"IOMMU: device={HandTrace.Nvme}", task: "modprobe")
            .Line(10, "map", IommuMap(0x1_0000, 0x2000), task: "qemu", pid: 200)
            .Line(20, "unmap", IommuUnmap(0x1_0000, 0x2000), task: "qemu", pid: 200);

        var r = Replays.Run(t);

        var c = r.Counters;
        Assert.Equal((1L, 1L, 1L, 0L), (c.Attaches, c.IommuMapsApplied, c.IommuUnmapsApplied, c.IommuClaimed));
        Assert.Equal([$"{HandTrace.Nvme} (SMMU smmu0, StreamID 0x100)"], r.CreatedDevices);

        // iommu_unmap is strict whatever the DMA mode: one TLBI and one CMD_SYNC.
        Assert.Equal((1L, 1L), (r.Cost(ReplayOperation.IommuUnmap).Tlbis, r.Cost(ReplayOperation.IommuUnmap).Syncs));
        Assert.Equal(r.ReplayCost, r.Cost(ReplayOperation.IommuUnmap));
    }

    [Fact]
    public void A_VFIO_style_run_of_maps_continuing_one_IOVA_range_is_applied_in_order()
    {
        var t = new HandTrace()
            .Line(0, "attach_device_to_domain", $"IOMMU: device={HandTrace.Nvme}")
            .Line(10, "map", IommuMap(0x1_0000, 0x1000), pid: 300)
            .Line(11, "map", IommuMap(0x1_1000, 0x1000, 0x9_0000_0000), pid: 300)
            .Line(20, "unmap", IommuUnmap(0x1_0000, 0x2000), pid: 300);

        var r = Replays.Run(t);

        Assert.Equal((2L, 1L), (r.Counters.IommuMapsApplied, r.Counters.IommuUnmapsApplied));
        Assert.Equal(0, r.Problems.Total);
    }

    [Fact]
    public void Without_an_attach_the_only_device_of_the_machine_gets_them_and_otherwise_nobody()
    {
        var t = new HandTrace()
            .Line(10, "map", IommuMap(0x1_0000, 0x1000))
            .Line(20, "unmap", IommuUnmap(0x1_0000, 0x1000));
        var one = new ReplayMachineSpec("one", [new ReplaySmmuSpec(ReplayMachineSpec.DefaultSmmuOptions("smmu0"))],
            [new ReplayDeviceSpec("gpu", "smmu0", [0x30], false, null)], []);

        var nobody = Replays.Run(t);
        var gpu = Replays.Run(t, one);

        Assert.Equal(2, nobody.Counters.IommuUnattributed);
        var sample = nobody.Problems.Samples(ReplayProblem.Unattributed)[0];
        Assert.Equal((5L, "map iova 0x10000 size 4096"), (sample.LineNumber, sample.Text));
        Assert.Equal((1L, 1L, 0L), (gpu.Counters.IommuMapsApplied, gpu.Counters.IommuUnmapsApplied, gpu.Counters.IommuUnattributed));
    }

    [Fact]
    public void Two_attached_devices_in_different_domains_leave_a_map_unattributed()
    {
        var t = new HandTrace()
            .Line(0, "attach_device_to_domain", "IOMMU: device=0000:01:00.0")
            .Line(1, "attach_device_to_domain", "IOMMU: device=0000:02:00.0")
            .Line(10, "map", IommuMap(0x1_0000, 0x1000));

        var r = Replays.Run(t);

        Assert.Equal((1L, 0L), (r.Counters.IommuUnattributed, r.Counters.IommuMapsApplied));
        Assert.Equal(2, r.CreatedDevices.Count);
    }

    [Fact]
    public void An_iommu_event_outside_its_calls_range_is_checked_and_reported_inconsistent()
    {
        var t = new HandTrace()
            .Line(0, "map", IommuMap(0xFFFF_E000, 0x2000))
            .Line(0, "dma_map_page", $"{HandTrace.Nvme} dir=TO_DEVICE dma_addr=fffff000 size=4096 phys_addr=800001000 attrs=");

        var r = Replays.Run(t);

        Assert.Equal((1L, 1L, 0L), (r.Counters.IommuClaimed, r.Counters.IommuInconsistent, r.Counters.IommuMapsApplied));
        var s = Assert.Single(r.Problems.Samples(ReplayProblem.Inconsistent));
        Assert.Equal(5, s.LineNumber);
        Assert.StartsWith("outside the DMA range 0xfffff000-0x100000000", s.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_interrupt_on_the_same_CPU_and_task_does_not_take_the_process_contexts_events()
    {
        // fio maps on CPU 0; a hard interrupt on the same CPU (same pid, flags d.h1.) completes
        // an earlier I/O between fio's iommu map and its dma_map_page.
        var t = new HandTrace()
            .Map(0, 0xFFFF_F000, 0x8_0000_1000)
            .Line(5, "map", IommuMap(0xFFFF_E000, 0x1000, 0x8_0000_2000))
            .Line(6, "unmap", IommuUnmap(0xFFFF_F000, 0x1000), flags: "d.h1.")
            .Line(6, "dma_unmap_page", $"{HandTrace.Nvme} dir=FROM_DEVICE dma_addr=fffff000 size=4096 attrs=", flags: "d.h1.")
            .Line(7, "dma_map_page", $"{HandTrace.Nvme} dir=FROM_DEVICE dma_addr=ffffe000 size=4096 phys_addr=800002000 attrs=");

        var r = Replays.Run(t);

        Assert.Equal((3L, 0L, 0L, 0L), (r.Counters.IommuClaimed, r.Counters.IommuInconsistent, r.Counters.IommuMapsApplied, r.Counters.IommuUnattributed));
        Assert.Equal(0, r.Counters.CallsWithoutIommuEvents);
    }

    [Fact]
    public void Events_pending_on_a_CPU_that_lost_events_are_unattributed()
    {
        var t = new HandTrace()
            .Line(0, "attach_device_to_domain", $"IOMMU: device={HandTrace.Nvme}")
            .Line(10, "map", IommuMap(0x1_0000, 0x1000), cpu: 2)
            .Raw("CPU:2 [LOST 7 EVENTS]");

        var r = Replays.Run(t);

        Assert.Equal((1L, 0L), (r.Counters.IommuUnattributed, r.Counters.IommuMapsApplied));
        Assert.StartsWith("events were lost on CPU 2", r.Problems.Samples(ReplayProblem.Unattributed)[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_iommu_unmap_after_a_free_belongs_to_the_free()
    {
        var t = new HandTrace()
            .Line(0, "map", IommuMap(0xFFFF_C000, 0x4000, 0x9_0000_0000))
            .Line(0, "dma_alloc", $"{HandTrace.Nvme} dir=BIDIRECTIONAL dma_addr=ffffc000 size=16384 virt_addr=00000000deadbeef flags=GFP_KERNEL attrs=")
            .Line(50, "dma_free", $"{HandTrace.Nvme} dir=BIDIRECTIONAL dma_addr=ffffc000 size=16384 virt_addr=00000000deadbeef attrs=")
            .Line(50, "unmap", IommuUnmap(0xFFFF_C000, 0x4000));

        var r = Replays.Run(t);

        var c = r.Counters;
        Assert.Equal((1L, 1L, 1L, 2L, 0L), (c.Allocs, c.AllocsMatchingTrace, c.Frees, c.IommuClaimed, c.IommuUnmapsApplied));
        Assert.Equal((1L, 1L), (r.Cost(ReplayOperation.Free).Tlbis, r.Cost(ReplayOperation.Free).Syncs));
    }
}
