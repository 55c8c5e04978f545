using SmmuLab.Architecture.Memory;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Tests.PageTables;

/// <summary>
/// A test DMA allocator: bump allocation upwards from a base, zeroing (or, to test callers that
/// must not rely on it, dirtying) what it hands out; it checks frees and can fail on demand.
/// </summary>
public sealed class BumpDmaAllocator(IPhysicalMemory memory, ulong start = 0x4000_0000, List<string>? log = null) : IDmaAllocator
{
    private readonly Dictionary<ulong, ulong> live = [];
    private ulong next = start;

    /// <summary>Shared event log ("alloc 0x..", "free 0x..") for ordering checks.</summary>
    public List<string> Log { get; } = log ?? [];

    /// <summary>Live allocations: address to size.</summary>
    public IReadOnlyDictionary<ulong, ulong> Live => live;

    /// <summary>Allocations made so far.</summary>
    public int Allocations { get; private set; }

    /// <summary>Frees so far.</summary>
    public int Frees { get; private set; }

    /// <summary>When set, the allocation with this ordinal (counting from 0 over the allocator's life) fails.</summary>
    public int? FailAt { get; set; }

    /// <summary>Fill new memory with 0xA5 instead of zeros (the contract says zeroed; this tests a caller that zeroes anyway).</summary>
    public bool Dirty { get; set; }

    public ulong Allocate(ulong bytes, ulong alignment)
    {
        if (FailAt == Allocations)
        {
            Allocations++;
            throw new DmaAllocationException("injected failure");
        }

        Allocations++;
        var address = (next + alignment - 1) & ~(alignment - 1);
        next = address + bytes;
        var fill = new byte[bytes];
        if (Dirty)
        {
            Array.Fill(fill, (byte)0xA5);
        }

        memory.Write(address, fill);
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
