using SmmuLab.Architecture.Memory;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// Reads configuration structures as the SMMU does: an address beyond the OAS or not backed by
/// memory is an aborted fetch (IHI0070 3.4.3, 7.3.4, 7.3.10) rather than an exception.
/// </summary>
internal static class StructureReader
{
    public static bool TryRead64(IDeviceMemory memory, int oasBits, ulong pa, out ulong value)
    {
        if ((pa >> oasBits) != 0)
        {
            value = 0;
            return false;
        }

        return memory.TryRead64(pa, out value);
    }

    /// <summary>Reads <paramref name="destination"/>.Length double words starting at <paramref name="pa"/>.</summary>
    public static bool TryRead(IDeviceMemory memory, int oasBits, ulong pa, Span<ulong> destination)
    {
        var last = pa + (ulong)((destination.Length * 8) - 1);
        if ((last >> oasBits) != 0)
        {
            return false;
        }

        for (var i = 0; i < destination.Length; i++)
        {
            if (!memory.TryRead64(pa + (ulong)(8 * i), out destination[i]))
            {
                return false;
            }
        }

        return true;
    }
}
