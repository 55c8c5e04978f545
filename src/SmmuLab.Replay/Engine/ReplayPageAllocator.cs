using SmmuLab.Driver.Platform;

namespace SmmuLab.Replay.Engine;

/// <summary>
/// The pages behind replayed coherent buffers: naturally aligned chunks from [1 TiB, 256 TiB),
/// freed chunks reused per size. Nothing is written (the replay moves no data), so a buffer of
/// any size costs nothing but its bookkeeping. The trace does not print these addresses.
/// </summary>
internal sealed class ReplayPageAllocator : IDmaAllocator
{
    public const ulong Start = 0x100_0000_0000;
    public const ulong End = 0x1_0000_0000_0000;

    private readonly Dictionary<ulong, Stack<ulong>> freed = [];
    private ulong next = Start;

    public ulong Allocate(ulong bytes, ulong alignment)
    {
        if (freed.TryGetValue(bytes, out var list) && list.Count > 0 && (list.Peek() & (alignment - 1)) == 0)
        {
            return list.Pop();
        }

        var pa = (next + alignment - 1) & ~(alignment - 1);
        if (pa + bytes > End || pa + bytes < pa)
        {
            throw new DmaAllocationException($"replay page region exhausted (0x{bytes:x} bytes requested)");
        }

        next = pa + bytes;
        return pa;
    }

    public void Free(ulong address, ulong bytes)
    {
        if (!freed.TryGetValue(bytes, out var list))
        {
            freed[bytes] = list = new Stack<ulong>();
        }

        list.Push(address);
    }
}
