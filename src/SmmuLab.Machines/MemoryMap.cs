namespace SmmuLab.Machines;

/// <summary>
/// The physical memory of a simulated machine: RAM is [<see cref="RamStart"/>, <see cref="RamEnd"/>);
/// one part of it, [<see cref="KernelStart"/>, <see cref="KernelEnd"/>), is the simulated kernel's
/// own: the driver's DMA-coherent allocations (stream tables, CD tables, queues, page tables) come
/// from there. Buffers that devices DMA to live in the rest.
/// </summary>
public sealed record MemoryMap(ulong RamStart, ulong RamEnd, ulong KernelStart, ulong KernelEnd)
{
    /// <summary>RAM [1 GiB, 16 GiB), the kernel's part [1 GiB, 2 GiB).</summary>
    public static MemoryMap Default { get; } = new(DriverMachine.DmaStart, DriverMachine.RamEnd, DriverMachine.DmaStart, DriverMachine.DmaEnd);

    /// <summary>The smallest kernel region: room for the tables and queues of a few SMMUs.</summary>
    public const ulong MinKernelBytes = 16UL << 20;

    /// <summary>Largest physical address + 1: 52 bits.</summary>
    public const ulong PhysicalLimit = 1UL << 52;

    /// <summary>The larger stretch of RAM outside the kernel's region, where generated workloads put their buffers.</summary>
    public (ulong Start, ulong End) BufferRegion => KernelStart - RamStart > RamEnd - KernelEnd ? (RamStart, KernelStart) : (KernelEnd, RamEnd);

    /// <summary>What is wrong with this map, or null.</summary>
    public string? Problem()
    {
        if ((RamStart | RamEnd | KernelStart | KernelEnd) % 0x1000 != 0)
        {
            return "RAM and the kernel's region must start and end on 4 KiB boundaries";
        }

        if (RamEnd <= RamStart || RamEnd > PhysicalLimit)
        {
            return $"RAM [0x{RamStart:x}, 0x{RamEnd:x}) must be non-empty and below 2^52";
        }

        if (KernelStart < RamStart || KernelEnd > RamEnd || KernelEnd < KernelStart)
        {
            return $"the kernel's region [0x{KernelStart:x}, 0x{KernelEnd:x}) must lie inside RAM [0x{RamStart:x}, 0x{RamEnd:x})";
        }

        if (KernelEnd - KernelStart < MinKernelBytes || KernelEnd - KernelStart == RamEnd - RamStart)
        {
            return $"the kernel's region must be at least {MinKernelBytes >> 20} MiB and leave RAM for buffers";
        }

        return null;
    }

    /// <summary>
    /// Why a device buffer at [<paramref name="pa"/>, +<paramref name="size"/>) may not be used
    /// (outside RAM, or over the kernel's own memory), or null when it may.
    /// </summary>
    public string? BufferProblem(ulong pa, ulong size)
    {
        var end = pa + size;
        if (pa < RamStart || end > RamEnd || end < pa)
        {
            return $"0x{pa:x}+0x{size:x} lies outside RAM [0x{RamStart:x}, 0x{RamEnd:x}) ({this})";
        }

        if (pa < KernelEnd && KernelStart < end)
        {
            return $"0x{pa:x}+0x{size:x} overlaps the simulated kernel's memory [0x{KernelStart:x}, 0x{KernelEnd:x}), where its stream tables, queues and page tables are ({this})";
        }

        return null;
    }

    public override string ToString() => $"RAM [0x{RamStart:x}, 0x{RamEnd:x}), kernel [0x{KernelStart:x}, 0x{KernelEnd:x})";
}
