namespace SmmuLab.Replay.Events;

/// <summary>The kernel's name of each <see cref="TraceEventKind"/> (as the trace prints it).</summary>
internal static class TraceEventNames
{
    public static string Of(TraceEventKind kind) => kind switch
    {
        TraceEventKind.DmaMapPage => "dma_map_page",
        TraceEventKind.DmaMapPhys => "dma_map_phys",
        TraceEventKind.DmaMapResource => "dma_map_resource",
        TraceEventKind.DmaUnmapPage => "dma_unmap_page",
        TraceEventKind.DmaUnmapPhys => "dma_unmap_phys",
        TraceEventKind.DmaUnmapResource => "dma_unmap_resource",
        TraceEventKind.DmaMapSg => "dma_map_sg",
        TraceEventKind.DmaMapSgError => "dma_map_sg_err",
        TraceEventKind.DmaUnmapSg => "dma_unmap_sg",
        TraceEventKind.DmaAlloc => "dma_alloc",
        TraceEventKind.DmaAllocPages => "dma_alloc_pages",
        TraceEventKind.DmaAllocSgt => "dma_alloc_sgt",
        TraceEventKind.DmaAllocSgtError => "dma_alloc_sgt_err",
        TraceEventKind.DmaFree => "dma_free",
        TraceEventKind.DmaFreePages => "dma_free_pages",
        TraceEventKind.DmaFreeSgt => "dma_free_sgt",
        TraceEventKind.DmaSyncSingleForCpu => "dma_sync_single_for_cpu",
        TraceEventKind.DmaSyncSingleForDevice => "dma_sync_single_for_device",
        TraceEventKind.DmaSyncSgForCpu => "dma_sync_sg_for_cpu",
        TraceEventKind.DmaSyncSgForDevice => "dma_sync_sg_for_device",
        TraceEventKind.IommuAddDeviceToGroup => "add_device_to_group",
        TraceEventKind.IommuRemoveDeviceFromGroup => "remove_device_from_group",
        TraceEventKind.IommuAttachDeviceToDomain => "attach_device_to_domain",
        TraceEventKind.IommuDetachDeviceFromDomain => "detach_device_from_domain",
        TraceEventKind.IommuMap => "map",
        TraceEventKind.IommuUnmap => "unmap",
        TraceEventKind.IommuPageFault => "io_page_fault",
        TraceEventKind.LostEvents => "lost events",
        _ => kind.ToString(),
    };
}
