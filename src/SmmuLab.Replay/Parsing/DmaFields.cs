using System.Runtime.CompilerServices;
using SmmuLab.Replay.Events;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// Every field any <c>dma:*</c> event prints, read by name in one pass: the leading device name,
/// scalars parsed at once, arrays kept as text until an event needs them. A field that is
/// present but unreadable fails the scan; which fields are required is the event's business.
/// The fork variant's <c>addr=</c> is taken as <c>dma_addr=</c>.
/// </summary>
internal ref struct DmaFields
{
    public ReadOnlySpan<char> Device;
    public DmaDirection? Direction;
    public ulong? DmaAddress;
    public ulong? Size;
    public ulong? PhysAddress;
    public bool HasVirtAddress;
    public ulong? VirtAddress;
    public bool HasGfpFlags;
    public ReadOnlySpan<char> GfpFlags;
    public bool HasAttrs;
    public DmaAttributes Attrs;
    public bool HasDmaAddrs;
    public ReadOnlySpan<char> DmaAddrs;
    public bool HasSizes;
    public ReadOnlySpan<char> Sizes;
    public bool HasPhysAddrs;
    public ReadOnlySpan<char> PhysAddrs;
    public bool HasNents;
    public ReadOnlySpan<char> Nents;
    public bool HasEnts;
    public ReadOnlySpan<char> Ents;
    public int? Error;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryScan(ReadOnlySpan<char> payload, out DmaFields f, out string problem)
    {
        f = default;
        var fields = new PayloadFields(payload);
        f.Device = fields.Leading;
        if (f.Device.IsEmpty || f.Device.Contains(' '))
        {
            problem = "no device name before the fields";
            return false;
        }

        while (fields.MoveNext(out var key, out var value))
        {
            switch (key)
            {
                case "dir":
                    if (!PayloadValues.TryDirection(value, out var dir))
                    {
                        problem = "unknown dir";
                        return false;
                    }

                    f.Direction = dir;
                    break;
                case "dma_addr" or "addr":
                    if (!PayloadValues.TryHex(value, out var dma))
                    {
                        problem = "bad dma_addr";
                        return false;
                    }

                    f.DmaAddress = dma;
                    break;
                case "size":
                    if (!PayloadValues.TryNumber(value, out var size))
                    {
                        problem = "bad size";
                        return false;
                    }

                    f.Size = size;
                    break;
                case "phys_addr":
                    if (!PayloadValues.TryHex(value, out var phys))
                    {
                        problem = "bad phys_addr";
                        return false;
                    }

                    f.PhysAddress = phys;
                    break;
                case "virt_addr":
                    f.HasVirtAddress = true;
                    f.VirtAddress = PayloadValues.Pointer(value);
                    break;
                case "flags":
                    f.HasGfpFlags = true;
                    f.GfpFlags = value;
                    break;
                case "attrs":
                    f.HasAttrs = true;
                    f.Attrs = PayloadValues.Attributes(value);
                    break;
                case "dma_addrs":
                    f.HasDmaAddrs = true;
                    f.DmaAddrs = value;
                    break;
                case "sizes":
                    f.HasSizes = true;
                    f.Sizes = value;
                    break;
                case "phys_addrs":
                    f.HasPhysAddrs = true;
                    f.PhysAddrs = value;
                    break;
                case "nents":
                    f.HasNents = true;
                    f.Nents = value;
                    break;
                case "ents":
                    f.HasEnts = true;
                    f.Ents = value;
                    break;
                case "err":
                    if (!PayloadValues.TryInt(value, out var err))
                    {
                        problem = "bad err";
                        return false;
                    }

                    f.Error = err;
                    break;
                default:
                    // Fields of other variants (page=, offset=) carry nothing the replay needs.
                    break;
            }
        }

        problem = string.Empty;
        return true;
    }
}
