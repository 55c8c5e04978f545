using SmmuLab.Architecture.Memory;

namespace SmmuLab.Driver.Platform;

/// <summary>
/// Everything the driver may touch, as a kernel driver: the SMMU's MMIO window, system memory for
/// DMA structures, a DMA allocator, a way to wait for the SMMU's wake-up events (WFE/SEV), and the
/// <see cref="Platform.Waiter"/> every wait goes through.
/// Interrupts arrive by the platform calling the driver's handlers.
/// </summary>
/// <param name="Mmio">The SMMU register pages.</param>
/// <param name="Memory">Physical memory, as the CPU sees it.</param>
/// <param name="Allocator">DMA-coherent allocations.</param>
/// <param name="Events">Where CMD_SYNC SEVs are waited for; null when the SMMU's SEV line is not wired.</param>
public sealed record DriverPlatform(IMmio Mmio, IPhysicalMemory Memory, IDmaAllocator Allocator, WaitForEvent? Events = null)
{
    /// <summary>Through which every wait of the driver on this platform goes.</summary>
    public Waiter Waiter { get; init; } = Waiter.Default;
}
