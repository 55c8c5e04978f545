using SmmuLab.Architecture.Memory;

namespace SmmuLab.Examples;

/// <summary>
/// The host's physical address map, seen two ways. A guest CPU's loads and stores
/// (<see cref="CpuRead32"/> and the rest) go to a device's MMIO window when the address falls in
/// one (the SMMU's two register pages) and to RAM otherwise. A device's accesses (the SMMU's table
/// walks, queue reads and writes, MSIs; an endpoint's DMA) go through the bus's
/// <see cref="IDeviceMemory"/> side: RAM, or the MSI doorbell of the interrupt controller; anything
/// else answers false, the bus's external abort.
/// </summary>
public sealed class SystemBus(GuestRam ram, InterruptController interrupts) : IDeviceMemory
{
    private readonly List<(ulong Base, ulong Size, IMmio Device)> windows = [];

    /// <summary>Places <paramref name="device"/>'s registers at [<paramref name="baseAddress"/>, + <paramref name="size"/>).</summary>
    public void MapMmio(ulong baseAddress, ulong size, IMmio device) => windows.Add((baseAddress, size, device));

    /// <summary>A guest CPU's 32-bit load.</summary>
    public uint CpuRead32(ulong pa) =>
        TryMmio(pa, out var device, out var offset) ? device.Read32(offset)
        : ram.TryRead32(pa, out var v) ? v : throw Abort(pa);

    /// <summary>A guest CPU's 64-bit load.</summary>
    public ulong CpuRead64(ulong pa) =>
        TryMmio(pa, out var device, out var offset) ? device.Read64(offset)
        : ram.TryRead64(pa, out var v) ? v : throw Abort(pa);

    /// <summary>A guest CPU's 32-bit store.</summary>
    public void CpuWrite32(ulong pa, uint value)
    {
        if (TryMmio(pa, out var device, out var offset))
        {
            device.Write32(offset, value);
        }
        else if (!ram.TryWrite32(pa, value))
        {
            throw Abort(pa);
        }
    }

    /// <summary>A guest CPU's 64-bit store.</summary>
    public void CpuWrite64(ulong pa, ulong value)
    {
        if (TryMmio(pa, out var device, out var offset))
        {
            device.Write64(offset, value);
        }
        else if (!ram.TryWrite64(pa, value))
        {
            throw Abort(pa);
        }
    }

    /// <inheritdoc/>
    public bool TryRead32(ulong pa, out uint value) => ram.TryRead32(pa, out value);

    /// <inheritdoc/>
    public bool TryRead64(ulong pa, out ulong value) => ram.TryRead64(pa, out value);

    /// <inheritdoc/>
    /// <remarks>MSIs are 32-bit writes: one to the doorbell is an interrupt, not a memory write.</remarks>
    public bool TryWrite32(ulong pa, uint value)
    {
        if (pa == interrupts.Doorbell)
        {
            interrupts.ReceiveMsi(value);
            return true;
        }

        return ram.TryWrite32(pa, value);
    }

    /// <inheritdoc/>
    public bool TryWrite64(ulong pa, ulong value) => ram.TryWrite64(pa, value);

    /// <inheritdoc/>
    public bool TryCompareExchange32(ulong pa, uint value, uint comparand, out uint original) =>
        ram.TryCompareExchange32(pa, value, comparand, out original);

    /// <inheritdoc/>
    public bool TryRead(ulong pa, Span<byte> destination) => ram.TryRead(pa, destination);

    /// <inheritdoc/>
    public bool TryWrite(ulong pa, ReadOnlySpan<byte> source) => ram.TryWrite(pa, source);

    private static InvalidOperationException Abort(ulong pa) => new($"guest access to 0x{pa:x}: nothing answers there");

    private bool TryMmio(ulong pa, out IMmio device, out int offset)
    {
        foreach (var (b, size, d) in windows)
        {
            if (pa >= b && pa - b < size)
            {
                device = d;
                offset = (int)(pa - b);
                return true;
            }
        }

        device = null!;
        offset = 0;
        return false;
    }
}
