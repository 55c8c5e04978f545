using System.Runtime.CompilerServices;
using SmmuLab.Replay.Events;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// Builds the typed <c>dma:*</c> events from a payload. A field the event's format prints is
/// required (so a line cut short is caught); fields only some generations print are optional
/// (<c>dir=</c> of v6.12 alloc/free, <c>phys_addr</c>/<c>virt_addr</c>, the map_sg counts).
/// </summary>
internal static class DmaEventParser
{
    private const int MaxTracedEntries = 128;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static PayloadStatus Parse(TraceEventKind kind, ReadOnlySpan<char> payload, NameTable names, TraceEventSlot slot, out string problem)
    {
        if (!DmaFields.TryScan(payload, out var f, out problem))
        {
            return PayloadStatus.Malformed;
        }

        problem = kind switch
        {
            TraceEventKind.DmaMapPage or TraceEventKind.DmaMapPhys or TraceEventKind.DmaMapResource => Map(kind, ref f, names, slot),
            TraceEventKind.DmaUnmapPage or TraceEventKind.DmaUnmapPhys or TraceEventKind.DmaUnmapResource => Unmap(kind, ref f, names, slot),
            TraceEventKind.DmaAlloc or TraceEventKind.DmaAllocPages or TraceEventKind.DmaAllocSgtError => Alloc(kind, ref f, names, slot),
            TraceEventKind.DmaAllocSgt => AllocSgt(ref f, names, slot),
            TraceEventKind.DmaFree or TraceEventKind.DmaFreePages => Free(kind, ref f, names, slot),
            TraceEventKind.DmaFreeSgt => FreeSgt(ref f, names, slot),
            TraceEventKind.DmaMapSg => MapSg(ref f, names, slot),
            TraceEventKind.DmaMapSgError => MapSgError(ref f, names, slot),
            TraceEventKind.DmaUnmapSg => UnmapSg(ref f, names, slot),
            TraceEventKind.DmaSyncSingleForCpu or TraceEventKind.DmaSyncSingleForDevice => SyncSingle(kind, ref f, names, slot),
            TraceEventKind.DmaSyncSgForCpu or TraceEventKind.DmaSyncSgForDevice => SyncSg(kind, ref f, names, slot),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a dma event"),
        };
        return problem.Length == 0 ? PayloadStatus.Parsed : PayloadStatus.Malformed;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string Map(TraceEventKind kind, ref DmaFields f, NameTable names, TraceEventSlot slot)
    {
        var missing = f.Direction is null ? "dir" : f.DmaAddress is null ? "dma_addr" : f.Size is null ? "size" : !f.HasAttrs ? "attrs" : null;
        if (missing is not null)
        {
            return Missing(missing);
        }

        slot.DmaMap = new DmaMapEvent(kind, names.Get(f.Device), f.Direction!.Value, f.DmaAddress!.Value, f.Size!.Value, f.PhysAddress, f.Attrs);
        return string.Empty;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string Unmap(TraceEventKind kind, ref DmaFields f, NameTable names, TraceEventSlot slot)
    {
        var missing = f.Direction is null ? "dir" : f.DmaAddress is null ? "dma_addr" : f.Size is null ? "size" : !f.HasAttrs ? "attrs" : null;
        if (missing is not null)
        {
            return Missing(missing);
        }

        slot.DmaUnmap = new DmaUnmapEvent(kind, names.Get(f.Device), f.Direction!.Value, f.DmaAddress!.Value, f.Size!.Value, f.Attrs);
        return string.Empty;
    }

    private static string Alloc(TraceEventKind kind, ref DmaFields f, NameTable names, TraceEventSlot slot)
    {
        var missing = f.DmaAddress is null ? "dma_addr" : f.Size is null ? "size"
            : !f.HasVirtAddress && f.PhysAddress is null ? "virt_addr"
            : !f.HasGfpFlags ? "flags" : !f.HasAttrs ? "attrs" : null;
        if (missing is not null)
        {
            return Missing(missing);
        }

        slot.DmaAlloc = new DmaAllocEvent(kind, names.Get(f.Device), f.Direction, f.DmaAddress!.Value, f.Size!.Value,
            f.VirtAddress, f.PhysAddress, names.Get(f.GfpFlags), f.Attrs);
        return string.Empty;
    }

    private static string AllocSgt(ref DmaFields f, NameTable names, TraceEventSlot slot)
    {
        var missing = f.Direction is null ? "dir" : f.DmaAddress is null ? "dma_addr" : f.Size is null ? "size"
            : !f.HasPhysAddrs ? "phys_addrs" : !f.HasGfpFlags ? "flags" : !f.HasAttrs ? "attrs" : null;
        if (missing is not null)
        {
            return Missing(missing);
        }

        if (!PayloadValues.TryU64Array(f.PhysAddrs, out var phys))
        {
            return "bad phys_addrs";
        }

        slot.DmaAllocSgt = new DmaAllocSgtEvent(names.Get(f.Device), f.Direction!.Value, f.DmaAddress!.Value, f.Size!.Value,
            phys, names.Get(f.GfpFlags), f.Attrs);
        return string.Empty;
    }

    private static string Free(TraceEventKind kind, ref DmaFields f, NameTable names, TraceEventSlot slot)
    {
        var missing = f.DmaAddress is null ? "dma_addr" : f.Size is null ? "size"
            : !f.HasVirtAddress && f.PhysAddress is null ? "virt_addr" : !f.HasAttrs ? "attrs" : null;
        if (missing is not null)
        {
            return Missing(missing);
        }

        slot.DmaFree = new DmaFreeEvent(kind, names.Get(f.Device), f.Direction, f.DmaAddress!.Value, f.Size!.Value,
            f.VirtAddress, f.PhysAddress, f.Attrs);
        return string.Empty;
    }

    private static string FreeSgt(ref DmaFields f, NameTable names, TraceEventSlot slot)
    {
        var missing = f.Direction is null ? "dir" : f.DmaAddress is null ? "dma_addr" : f.Size is null ? "size"
            : !f.HasPhysAddrs ? "phys_addrs" : null;
        if (missing is not null)
        {
            return Missing(missing);
        }

        if (!PayloadValues.TryU64Array(f.PhysAddrs, out var phys))
        {
            return "bad phys_addrs";
        }

        slot.DmaFreeSgt = new DmaFreeSgtEvent(names.Get(f.Device), f.Direction!.Value, f.DmaAddress!.Value, f.Size!.Value, phys);
        return string.Empty;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string MapSg(ref DmaFields f, NameTable names, TraceEventSlot slot)
    {
        var missing = f.Direction is null ? "dir" : !f.HasDmaAddrs ? "dma_addrs" : !f.HasSizes ? "sizes"
            : !f.HasPhysAddrs ? "phys_addrs" : !f.HasAttrs ? "attrs" : f.HasNents != f.HasEnts ? "nents or ents" : null;
        if (missing is not null)
        {
            return Missing(missing);
        }

        if (!PayloadValues.TryU64Array(f.DmaAddrs, out var dma) || !PayloadValues.TryU32Array(f.Sizes, out var sizes)
            || !PayloadValues.TryU64Array(f.PhysAddrs, out var phys))
        {
            return "bad array";
        }

        if (dma.Length != sizes.Length)
        {
            return "dma_addrs and sizes differ in length";
        }

        int inputs = phys.Length, outputs = dma.Length;
        var truncated = false;
        if (f.HasNents)
        {
            if (!TryCountPair(f.Nents, out var tracedIn, out inputs, out _)
                || !TryCountPair(f.Ents, out var tracedOut, out outputs, out truncated))
            {
                return "bad nents/ents";
            }

            if (tracedIn != phys.Length || tracedOut != dma.Length
                || tracedIn != Math.Min(inputs, MaxTracedEntries) || tracedOut != Math.Min(outputs, MaxTracedEntries))
            {
                return "array lengths do not match nents/ents";
            }
        }

        slot.DmaMapSg = new DmaMapSgEvent(names.Get(f.Device), f.Direction!.Value, inputs, outputs, f.HasNents, truncated,
            dma, sizes, phys, f.Attrs);
        return string.Empty;
    }

    private static string MapSgError(ref DmaFields f, NameTable names, TraceEventSlot slot)
    {
        var missing = f.Direction is null ? "dir" : !f.HasDmaAddrs ? "dma_addrs" : f.Error is null ? "err" : !f.HasAttrs ? "attrs" : null;
        if (missing is not null)
        {
            return Missing(missing);
        }

        if (!PayloadValues.TryU64Array(f.DmaAddrs, out var phys))
        {
            return "bad dma_addrs";
        }

        slot.DmaMapSgError = new DmaMapSgErrorEvent(names.Get(f.Device), f.Direction!.Value, phys, f.Error!.Value, f.Attrs);
        return string.Empty;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string UnmapSg(ref DmaFields f, NameTable names, TraceEventSlot slot)
    {
        var missing = f.Direction is null ? "dir" : !f.HasPhysAddrs ? "phys_addrs" : !f.HasAttrs ? "attrs" : null;
        if (missing is not null)
        {
            return Missing(missing);
        }

        if (!PayloadValues.TryU64Array(f.PhysAddrs, out var phys))
        {
            return "bad phys_addrs";
        }

        slot.DmaUnmapSg = new DmaUnmapSgEvent(names.Get(f.Device), f.Direction!.Value, phys, f.Attrs);
        return string.Empty;
    }

    private static string SyncSingle(TraceEventKind kind, ref DmaFields f, NameTable names, TraceEventSlot slot)
    {
        var missing = f.Direction is null ? "dir" : f.DmaAddress is null ? "dma_addr" : f.Size is null ? "size" : null;
        if (missing is not null)
        {
            return Missing(missing);
        }

        slot.DmaSyncSingle = new DmaSyncSingleEvent(kind, names.Get(f.Device), f.Direction!.Value, f.DmaAddress!.Value, f.Size!.Value);
        return string.Empty;
    }

    private static string SyncSg(TraceEventKind kind, ref DmaFields f, NameTable names, TraceEventSlot slot)
    {
        var missing = f.Direction is null ? "dir" : !f.HasDmaAddrs ? "dma_addrs" : !f.HasSizes ? "sizes" : null;
        if (missing is not null)
        {
            return Missing(missing);
        }

        if (!PayloadValues.TryU64Array(f.DmaAddrs, out var dma) || !PayloadValues.TryU32Array(f.Sizes, out var sizes))
        {
            return "bad array";
        }

        if (dma.Length != sizes.Length)
        {
            return "dma_addrs and sizes differ in length";
        }

        slot.DmaSyncSg = new DmaSyncSgEvent(kind, names.Get(f.Device), f.Direction!.Value, dma, sizes);
        return string.Empty;
    }

    /// <summary><c>traced/full</c>, optionally followed by <c>[TRUNCATED]</c>.</summary>
    private static bool TryCountPair(ReadOnlySpan<char> s, out int traced, out int full, out bool truncated)
    {
        traced = full = 0;
        truncated = false;
        var space = s.IndexOf(' ');
        if (space >= 0)
        {
            if (!s[(space + 1)..].TrimStart(' ').SequenceEqual("[TRUNCATED]"))
            {
                return false;
            }

            truncated = true;
            s = s[..space];
        }

        var slash = s.IndexOf('/');
        return slash > 0
            && PayloadValues.TryInt(s[..slash], out traced) && traced >= 0
            && PayloadValues.TryInt(s[(slash + 1)..], out full) && full >= traced;
    }

    private static string Missing(string field) => field switch
    {
        "dir" => "missing dir",
        "dma_addr" => "missing dma_addr",
        "size" => "missing size",
        "attrs" => "missing attrs",
        "virt_addr" => "missing virt_addr (or phys_addr)",
        "flags" => "missing flags",
        "phys_addrs" => "missing phys_addrs",
        "dma_addrs" => "missing dma_addrs",
        "sizes" => "missing sizes",
        "err" => "missing err",
        _ => "missing " + field,
    };
}
