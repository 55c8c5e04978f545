using System.Runtime.CompilerServices;
using SmmuLab.Replay.Events;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// Maps an event name (with or without its <c>dma:</c>/<c>iommu:</c> system) to its kind and hands
/// the payload to the DMA or IOMMU builder. Unknown names are <see cref="PayloadStatus.Unsupported"/>;
/// a known event that trace-cmd printed as <c>[FAILED TO PARSE]</c> is <see cref="PayloadStatus.FailedToParse"/>.
/// </summary>
internal static class TraceEventParser
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static PayloadStatus Parse(
        ReadOnlySpan<char> system, ReadOnlySpan<char> name, ReadOnlySpan<char> payload, NameTable names,
        TraceEventSlot slot, out string problem)
    {
        if (!TryKind(name, out var kind, out var isIommu)
            || (!system.IsEmpty && !system.SequenceEqual(isIommu ? "iommu" : "dma")))
        {
            problem = "event not modelled";
            return PayloadStatus.Unsupported;
        }

        if (payload.StartsWith("[FAILED TO PARSE]"))
        {
            problem = "trace-cmd could not format the event";
            return PayloadStatus.FailedToParse;
        }

        slot.Kind = kind;
        return isIommu
            ? IommuEventParser.Parse(kind, payload, names, slot, out problem)
            : DmaEventParser.Parse(kind, payload, names, slot, out problem);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryKind(ReadOnlySpan<char> name, out TraceEventKind kind, out bool isIommu)
    {
        isIommu = false;
        switch (name)
        {
            case "dma_map_page": kind = TraceEventKind.DmaMapPage; return true;
            case "dma_map_phys": kind = TraceEventKind.DmaMapPhys; return true;
            case "dma_map_resource": kind = TraceEventKind.DmaMapResource; return true;
            case "dma_unmap_page": kind = TraceEventKind.DmaUnmapPage; return true;
            case "dma_unmap_phys": kind = TraceEventKind.DmaUnmapPhys; return true;
            case "dma_unmap_resource": kind = TraceEventKind.DmaUnmapResource; return true;
            case "dma_map_sg": kind = TraceEventKind.DmaMapSg; return true;
            case "dma_map_sg_err": kind = TraceEventKind.DmaMapSgError; return true;
            case "dma_unmap_sg": kind = TraceEventKind.DmaUnmapSg; return true;
            case "dma_alloc": kind = TraceEventKind.DmaAlloc; return true;
            case "dma_alloc_pages": kind = TraceEventKind.DmaAllocPages; return true;
            case "dma_alloc_sgt": kind = TraceEventKind.DmaAllocSgt; return true;
            case "dma_alloc_sgt_err": kind = TraceEventKind.DmaAllocSgtError; return true;
            case "dma_free": kind = TraceEventKind.DmaFree; return true;
            case "dma_free_pages": kind = TraceEventKind.DmaFreePages; return true;
            case "dma_free_sgt": kind = TraceEventKind.DmaFreeSgt; return true;
            case "dma_sync_single_for_cpu": kind = TraceEventKind.DmaSyncSingleForCpu; return true;
            case "dma_sync_single_for_device": kind = TraceEventKind.DmaSyncSingleForDevice; return true;
            case "dma_sync_sg_for_cpu": kind = TraceEventKind.DmaSyncSgForCpu; return true;
            case "dma_sync_sg_for_device": kind = TraceEventKind.DmaSyncSgForDevice; return true;
        }

        isIommu = true;
        switch (name)
        {
            case "add_device_to_group": kind = TraceEventKind.IommuAddDeviceToGroup; return true;
            case "remove_device_from_group": kind = TraceEventKind.IommuRemoveDeviceFromGroup; return true;
            case "attach_device_to_domain": kind = TraceEventKind.IommuAttachDeviceToDomain; return true;
            case "detach_device_from_domain": kind = TraceEventKind.IommuDetachDeviceFromDomain; return true;
            case "map": kind = TraceEventKind.IommuMap; return true;
            case "unmap": kind = TraceEventKind.IommuUnmap; return true;
            case "io_page_fault": kind = TraceEventKind.IommuPageFault; return true;
        }

        kind = default;
        return false;
    }
}
