namespace SmmuLab.Replay.Events;

/// <summary>
/// Every trace event the parser turns into a typed record: the DMA-API events of
/// <c>include/trace/events/dma.h</c> (all kernel generations), the <c>iommu</c> events of
/// <c>include/trace/events/iommu.h</c>, and the lost-events marker lines of tracefs and trace-cmd.
/// </summary>
public enum TraceEventKind
{
    /// <summary><c>dma_map_page</c> (v6.12 to the rename, about v6.18).</summary>
    DmaMapPage,

    /// <summary><c>dma_map_phys</c> (after the rename; same fields as <c>dma_map_page</c>).</summary>
    DmaMapPhys,

    /// <summary><c>dma_map_resource</c> (kernels before the rename; MMIO targets).</summary>
    DmaMapResource,

    DmaUnmapPage,
    DmaUnmapPhys,
    DmaUnmapResource,

    /// <summary><c>dma_map_sg</c>, both the untruncated and the counted (128-entry) print formats.</summary>
    DmaMapSg,

    /// <summary><c>dma_map_sg_err</c>: a failed scatter-gather mapping.</summary>
    DmaMapSgError,

    DmaUnmapSg,
    DmaAlloc,
    DmaAllocPages,
    DmaAllocSgt,

    /// <summary><c>dma_alloc_sgt_err</c>: a failed <c>dma_alloc_noncontiguous</c>.</summary>
    DmaAllocSgtError,

    DmaFree,
    DmaFreePages,
    DmaFreeSgt,
    DmaSyncSingleForCpu,
    DmaSyncSingleForDevice,
    DmaSyncSgForCpu,
    DmaSyncSgForDevice,

    /// <summary><c>iommu:add_device_to_group</c>.</summary>
    IommuAddDeviceToGroup,

    /// <summary><c>iommu:remove_device_from_group</c>.</summary>
    IommuRemoveDeviceFromGroup,

    /// <summary><c>iommu:attach_device_to_domain</c>.</summary>
    IommuAttachDeviceToDomain,

    /// <summary><c>iommu:detach_device_from_domain</c>.</summary>
    IommuDetachDeviceFromDomain,

    /// <summary><c>iommu:map</c>: one successful <c>iommu_map</c> call (no device in upstream kernels).</summary>
    IommuMap,

    /// <summary><c>iommu:unmap</c>: one <c>iommu_unmap</c> call, requested and unmapped sizes.</summary>
    IommuUnmap,

    /// <summary><c>iommu:io_page_fault</c>.</summary>
    IommuPageFault,

    /// <summary>A <c>CPU:N [LOST n EVENTS]</c> (tracefs) or <c>CPU:N [n EVENTS DROPPED]</c> (trace-cmd) line.</summary>
    LostEvents,
}
