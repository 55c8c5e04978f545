using SmmuLab.Architecture.Memory;
using SmmuLab.Driver.Platform;

namespace SmmuLab.TestSupport.Memory;

/// <summary>
/// The test DMA allocator: naturally aligned bump allocation upwards from a base. Given a memory it
/// zeroes (or, to test callers that must not rely on that, dirties) what it hands out. It records
/// every request, keeps the live allocations, checks frees, and can refuse sizes above a limit or
/// fail one chosen allocation.
/// </summary>
public sealed class TestDmaAllocator(IPhysicalMemory? memory = null, ulong start = 0x4000_0000, ulong refuseAbove = ulong.MaxValue, List<string>? log = null) : IDmaAllocator
{
    private readonly Dictionary<ulong, ulong> live = [];
    private ulong next = start;

    /// <summary>Shared event log ("alloc 0x..", "free 0x..") for ordering checks.</summary>
    public List<string> Log { get; } = log ?? [];

    /// <summary>The size of every request, refused ones included.</summary>
    public List<ulong> Requests { get; } = [];

    /// <summary>Live allocations: address to size.</summary>
    public IReadOnlyDictionary<ulong, ulong> Live => live;

    /// <summary>Allocations attempted so far (an injected failure counts).</summary>
    public int Allocations { get; private set; }

    /// <summary>Frees so far.</summary>
    public int Frees { get; private set; }

    /// <summary>When set, the allocation with this ordinal (counting from 0 over the allocator's life) fails.</summary>
    public int? FailAt { get; set; }

    /// <summary>Fill new memory with 0xA5 instead of zeros (the contract says zeroed; this tests a caller that zeroes anyway).</summary>
    public bool Dirty { get; set; }

    public ulong Allocate(ulong bytes, ulong alignment)
    {
        Requests.Add(bytes);
        if (bytes > refuseAbove)
        {
            throw new DmaAllocationException($"no {bytes} contiguous bytes");
        }

        if (FailAt == Allocations++)
        {
            throw new DmaAllocationException("injected failure");
        }

        var address = (next + alignment - 1) & ~(alignment - 1);
        next = address + bytes;
        if (memory is not null)
        {
            var fill = new byte[bytes];
            if (Dirty)
            {
                Array.Fill(fill, (byte)0xA5);
            }

            memory.Write(address, fill);
        }

        live.Add(address, bytes);
        Log.Add($"alloc 0x{address:X}");
        return address;
    }

    public void Free(ulong address, ulong bytes)
    {
        if (!live.Remove(address, out var size) || size != bytes)
        {
            throw new InvalidOperationException($"free of 0x{address:X}+0x{bytes:X} that is not a live allocation");
        }

        Frees++;
        Log.Add($"free 0x{address:X}");
    }
}
