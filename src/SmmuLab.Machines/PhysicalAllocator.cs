namespace SmmuLab.Machines;

/// <summary>
/// Hands out naturally aligned physical ranges from a region, like a kernel's DMA allocator for
/// queues, tables and page-table pages. Thread-safe bump allocation; freed ranges are not reused.
/// </summary>
internal sealed class PhysicalAllocator(ulong start, ulong end)
{
    private readonly object gate = new();
    private ulong next = start;

    public ulong Start { get; } = start;

    public ulong End { get; } = end;

    /// <summary>Allocates <paramref name="bytes"/> aligned to <paramref name="alignment"/> (a power of two).</summary>
    public ulong Allocate(ulong bytes, ulong alignment = 4096)
    {
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentException("alignment must be a power of two", nameof(alignment));
        }

        lock (gate)
        {
            var pa = (next + alignment - 1) & ~(alignment - 1);
            if (pa + bytes > End || pa + bytes < pa)
            {
                throw new InvalidOperationException($"physical allocator exhausted: 0x{bytes:x} bytes requested, region [0x{Start:x}, 0x{End:x})");
            }

            next = pa + bytes;
            return pa;
        }
    }
}
