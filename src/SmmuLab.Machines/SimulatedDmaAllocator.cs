using SmmuLab.Architecture.Memory;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Machines;

/// <summary>
/// The DMA allocator the simulated kernel gives the driver: zeroed, naturally aligned ranges from a
/// region of RAM, with freed ranges reused (per size), and failure injection for tests that must
/// prove a path survives allocation failure.
/// </summary>
public sealed class SimulatedDmaAllocator(IPhysicalMemory memory, ulong start, ulong end) : IDmaAllocator
{
    private readonly object gate = new();
    private readonly PhysicalAllocator region = new(start, end);
    private readonly Dictionary<ulong, Stack<ulong>> freed = [];

    public long Allocations { get; private set; }

    /// <summary>Ranges given back; <c>Allocations - Frees</c> is what is live (the fault-injection tests check nothing leaks).</summary>
    public long Frees { get; private set; }

    /// <summary>When non-negative: this many more allocations succeed, then every one fails until reset to -1.</summary>
    public int FailAfter { get; set; } = -1;

    public ulong Allocate(ulong bytes, ulong alignment)
    {
        lock (gate)
        {
            if (FailAfter == 0)
            {
                throw new DmaAllocationException($"injected DMA allocation failure ({bytes} bytes)");
            }

            if (FailAfter > 0)
            {
                FailAfter--;
            }

            ulong pa;
            if (freed.TryGetValue(bytes, out var list) && list.Count > 0 && (list.Peek() & (alignment - 1)) == 0)
            {
                pa = list.Pop();
            }
            else
            {
                try
                {
                    pa = region.Allocate(bytes, alignment);
                }
                catch (InvalidOperationException e)
                {
                    throw new DmaAllocationException(e.Message);
                }
            }

            Zero(pa, bytes);
            Allocations++;
            return pa;
        }
    }

    public void Free(ulong address, ulong bytes)
    {
        lock (gate)
        {
            if (!freed.TryGetValue(bytes, out var list))
            {
                freed[bytes] = list = new Stack<ulong>();
            }

            list.Push(address);
            Frees++;
        }
    }

    private void Zero(ulong pa, ulong bytes)
    {
        for (ulong off = 0; off < bytes; off += 8)
        {
            memory.Write64(pa + off, 0);
        }
    }
}
