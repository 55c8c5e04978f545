namespace SmmuLab.Driver.Dma;

/// <summary>
/// A device using an <see cref="IommuDma"/> domain: its options and the state the DMA layer keeps
/// per device (the 32-bit-first flag that the first failure below 4 GiB clears for good, and the
/// notices the kernel would print).
/// </summary>
public sealed class DmaDevice
{
    private readonly List<string> notices = [];
    private volatile bool pci32BitWorkaround;

    internal DmaDevice(IommuDma dma, DmaDeviceOptions options)
    {
        Dma = dma;
        Options = options;
        pci32BitWorkaround = options.IsPci && !options.ForceDac;
    }

    public IommuDma Dma { get; }

    public DmaDeviceOptions Options { get; }

    public string Name => Options.Name;

    /// <summary>IOVAs are still tried below 4 GiB first (<c>pci_32bit_workaround</c>).</summary>
    public bool Pci32BitWorkaround => pci32BitWorkaround;

    /// <summary>Messages the kernel prints for this device ("Using 48-bit DMA addresses").</summary>
    public IReadOnlyList<string> Notices
    {
        get
        {
            lock (notices)
            {
                return [.. notices];
            }
        }
    }

    public override string ToString() => Name;

    /// <summary>Gives up 32-bit-first allocation and records the notice; true for the caller that did it.</summary>
    internal bool DropPci32BitWorkaround(int bits)
    {
        lock (notices)
        {
            if (!pci32BitWorkaround)
            {
                return false;
            }

            pci32BitWorkaround = false;
            notices.Add($"Using {bits}-bit DMA addresses");
            return true;
        }
    }
}
