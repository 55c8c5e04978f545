namespace SmmuLab.Driver.Platform;

/// <summary>
/// Allocates physically contiguous, zeroed DMA memory for the driver's queues, tables and page
/// tables (the kernel's <c>dma_alloc_coherent</c>). Allocation may fail: callers handle
/// <see cref="DmaAllocationException"/> and leave their state as it was.
/// </summary>
public interface IDmaAllocator
{
    /// <summary>Allocates <paramref name="bytes"/> aligned to <paramref name="alignment"/> (a power of two), zeroed.</summary>
    ulong Allocate(ulong bytes, ulong alignment);

    /// <summary>Returns a range obtained from <see cref="Allocate"/>.</summary>
    void Free(ulong address, ulong bytes);
}

/// <summary>An allocation that could not be satisfied (out of memory, or failure injection).</summary>
public sealed class DmaAllocationException(string message) : Exception(message);
