namespace SmmuLab.Architecture.Memory;

/// <summary>
/// The geometry of the page views a memory may offer (<see cref="IPhysicalMemory.PageWords"/>,
/// <see cref="IDeviceMemory.BackedPageWords"/>): 4 KiB pages, each 512 little-endian 64-bit words.
/// </summary>
public static class MemoryPageView
{
    /// <summary>log2 of a page's size in bytes.</summary>
    public const int Shift = 12;

    /// <summary>A page's size in bytes.</summary>
    public const ulong Bytes = 1UL << Shift;

    /// <summary>64-bit words in a page view.</summary>
    public const int Words = (int)(Bytes / sizeof(ulong));

    /// <summary>The page frame holding <paramref name="pa"/>.</summary>
    public static ulong Frame(ulong pa) => pa >> Shift;

    /// <summary>The index, in its page's view, of the 64-bit word holding <paramref name="pa"/>.</summary>
    public static int WordIndex(ulong pa) => (int)((pa & (Bytes - 1)) >> 3);
}
