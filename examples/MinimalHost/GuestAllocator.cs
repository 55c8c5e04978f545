namespace SmmuLab.Examples;

/// <summary>The guest's bump allocator over a range of its RAM (tables, queues, buffers); nothing is freed.</summary>
public sealed class GuestAllocator(ulong start, ulong end)
{
    private ulong next = start;

    /// <summary>
    /// <paramref name="bytes"/> bytes aligned to <paramref name="bytes"/> (a power of two: queues and
    /// tables must be aligned to their size), zero as the host's RAM starts zeroed.
    /// </summary>
    public ulong Allocate(ulong bytes)
    {
        var pa = (next + bytes - 1) & ~(bytes - 1);
        if (pa + bytes > end)
        {
            throw new InvalidOperationException($"guest allocator: no room for 0x{bytes:x} bytes");
        }

        next = pa + bytes;
        return pa;
    }
}
