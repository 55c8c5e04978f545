using System.Runtime.CompilerServices;
using SmmuLab.Replay.Events;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// Builds the typed <c>iommu:*</c> events. Every payload starts with <c>IOMMU:</c>; <c>map</c> and
/// <c>unmap</c> come with or without the <c>- 0x…</c> range end (changed about v5.17) and, in some
/// vendor kernels, with a <c>dev=</c> field.
/// </summary>
internal static class IommuEventParser
{
    private const string Prefix = "IOMMU:";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static PayloadStatus Parse(TraceEventKind kind, ReadOnlySpan<char> payload, NameTable names, TraceEventSlot slot, out string problem)
    {
        if (!payload.StartsWith(Prefix))
        {
            problem = "payload does not start with IOMMU:";
            return PayloadStatus.Malformed;
        }

        problem = kind switch
        {
            TraceEventKind.IommuAddDeviceToGroup or TraceEventKind.IommuRemoveDeviceFromGroup => Group(kind, payload, names, slot),
            TraceEventKind.IommuAttachDeviceToDomain or TraceEventKind.IommuDetachDeviceFromDomain => Device(kind, payload, names, slot),
            TraceEventKind.IommuMap => Map(payload, names, slot),
            TraceEventKind.IommuUnmap => Unmap(payload, names, slot),
            TraceEventKind.IommuPageFault => PageFault(payload, names, slot),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an iommu event"),
        };
        return problem.Length == 0 ? PayloadStatus.Parsed : PayloadStatus.Malformed;
    }

    private static string Group(TraceEventKind kind, ReadOnlySpan<char> payload, NameTable names, TraceEventSlot slot)
    {
        int? group = null;
        ReadOnlySpan<char> device = [];
        var fields = new PayloadFields(payload);
        while (fields.MoveNext(out var key, out var value))
        {
            switch (key)
            {
                case "groupID":
                    if (!PayloadValues.TryInt(value, out var g))
                    {
                        return "bad groupID";
                    }

                    group = g;
                    break;
                case "device":
                    device = value;
                    break;
            }
        }

        if (group is null)
        {
            return "missing groupID";
        }

        if (device.IsEmpty)
        {
            return "missing device";
        }

        slot.IommuGroup = new IommuGroupEvent(kind, group.Value, names.Get(device));
        return string.Empty;
    }

    private static string Device(TraceEventKind kind, ReadOnlySpan<char> payload, NameTable names, TraceEventSlot slot)
    {
        ReadOnlySpan<char> device = [];
        var fields = new PayloadFields(payload);
        while (fields.MoveNext(out var key, out var value))
        {
            if (key is "device")
            {
                device = value;
            }
        }

        if (device.IsEmpty)
        {
            return "missing device";
        }

        slot.IommuDevice = new IommuDeviceEvent(kind, names.Get(device));
        return string.Empty;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string Map(ReadOnlySpan<char> payload, NameTable names, TraceEventSlot slot)
    {
        var error = ReadRangeFields(payload, names, out var f);
        var missing = error.Length != 0 ? error
            : f.Iova is null ? "missing iova" : f.Paddr is null ? "missing paddr" : f.Size is null ? "missing size" : CheckRangeEnd(f);
        if (missing.Length != 0)
        {
            return missing;
        }

        slot.IommuMap = new IommuMapEvent(f.Iova!.Value, f.Paddr!.Value, f.Size!.Value, f.End is not null, f.Device);
        return string.Empty;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string Unmap(ReadOnlySpan<char> payload, NameTable names, TraceEventSlot slot)
    {
        var error = ReadRangeFields(payload, names, out var f);
        var missing = error.Length != 0 ? error
            : f.Iova is null ? "missing iova" : f.Size is null ? "missing size" : f.Unmapped is null ? "missing unmapped_size" : CheckRangeEnd(f);
        if (missing.Length != 0)
        {
            return missing;
        }

        slot.IommuUnmap = new IommuUnmapEvent(f.Iova!.Value, f.Size!.Value, f.Unmapped!.Value, f.End is not null, f.Device);
        return string.Empty;
    }

    /// <summary>The fields iommu:map and iommu:unmap print (each event uses its own subset); an empty string or the problem.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string ReadRangeFields(ReadOnlySpan<char> payload, NameTable names, out RangeFields f)
    {
        f = default;
        var fields = new PayloadFields(payload);
        while (fields.MoveNext(out var key, out var value))
        {
            switch (key)
            {
                case "iova":
                    if (!TryRange(value, out var start, out var end))
                    {
                        return "bad iova";
                    }

                    f.Iova = start;
                    f.End = end;
                    break;
                case "paddr":
                    if (!PayloadValues.TryHex(value, out var p))
                    {
                        return "bad paddr";
                    }

                    f.Paddr = p;
                    break;
                case "size":
                    if (!PayloadValues.TryNumber(value, out var s))
                    {
                        return "bad size";
                    }

                    f.Size = s;
                    break;
                case "unmapped_size":
                    if (!PayloadValues.TryNumber(value, out var u))
                    {
                        return "bad unmapped_size";
                    }

                    f.Unmapped = u;
                    break;
                case "dev":
                    f.Device = names.Get(value);
                    break;
            }
        }

        return string.Empty;
    }

    /// <summary>An "iova=START-END" range must end at iova + size.</summary>
    private static string CheckRangeEnd(in RangeFields f) =>
        f.End is { } e && e != unchecked(f.Iova!.Value + f.Size!.Value) ? "iova range end is not iova + size" : string.Empty;

    private static string PageFault(ReadOnlySpan<char> payload, NameTable names, TraceEventSlot slot)
    {
        var fields = new PayloadFields(payload);

        // "IOMMU:<driver> <device>"; an empty driver string leaves "IOMMU: <device>".
        if (fields.Leading.Length <= Prefix.Length)
        {
            return "missing driver and device";
        }

        var who = fields.Leading[Prefix.Length..];
        var space = who.LastIndexOf(' ');
        if (space < 0)
        {
            return "missing driver and device";
        }

        var driver = who[..space].Trim(' ');
        var device = who[(space + 1)..];
        if (device.IsEmpty)
        {
            return "missing device";
        }

        ulong? iova = null;
        int? flags = null;
        while (fields.MoveNext(out var key, out var value))
        {
            switch (key)
            {
                case "iova":
                    if (!PayloadValues.TryHex(value, out var i))
                    {
                        return "bad iova";
                    }

                    iova = i;
                    break;
                case "flags":
                    if (!PayloadValues.TryHex(value, out var fl) || fl > int.MaxValue)
                    {
                        return "bad flags";
                    }

                    flags = (int)fl;
                    break;
            }
        }

        if (iova is null)
        {
            return "missing iova";
        }

        if (flags is null)
        {
            return "missing flags";
        }

        slot.IommuPageFault = new IommuPageFaultEvent(names.Get(driver), names.Get(device), iova.Value, flags.Value);
        return string.Empty;
    }

    /// <summary><c>0x… - 0x…</c> (start, exclusive end) or a single <c>0x…</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryRange(ReadOnlySpan<char> value, out ulong start, out ulong? end)
    {
        end = null;
        var dash = value.IndexOf(" - ");
        if (dash < 0)
        {
            return PayloadValues.TryHex(value, out start);
        }

        if (!PayloadValues.TryHex(value[..dash], out start) || !PayloadValues.TryHex(value[(dash + 3)..].TrimStart(' '), out var e))
        {
            return false;
        }

        end = e;
        return true;
    }

    private struct RangeFields
    {
        public ulong? Iova;
        public ulong? End;
        public ulong? Paddr;
        public ulong? Size;
        public ulong? Unmapped;
        public string? Device;
    }
}
