namespace SmmuLab.Architecture.Memory;

/// <summary>
/// The system's physical address space as software (a driver) sees it: little-endian, naturally
/// aligned 32- and 64-bit accesses, byte copies, and an atomic 32-bit compare-exchange (the MSI
/// completion word a CMD_SYNC writes is polled with it). Software accesses only memory it owns, so
/// these do not fail. A device's view, where an access may abort, is <see cref="IDeviceMemory"/>.
/// Addresses are 52-bit PAs.
/// </summary>
public interface IPhysicalMemory
{
    uint Read32(ulong pa);

    ulong Read64(ulong pa);

    void Write32(ulong pa, uint value);

    void Write64(ulong pa, ulong value);

    /// <summary>A 32-bit read with acquire semantics (polling a completion word).</summary>
    uint ReadVolatile32(ulong pa);

    /// <summary>A 32-bit write with release semantics (an MSI write).</summary>
    void WriteVolatile32(ulong pa, uint value);

    uint CompareExchange32(ulong pa, uint value, uint comparand);

    void Read(ulong pa, Span<byte> destination);

    void Write(ulong pa, ReadOnlySpan<byte> source);

    /// <summary>
    /// The 4 KiB page holding <paramref name="pa"/> as 512 little-endian 64-bit words, for software
    /// that reads and writes its own structures in place (Linux's io-pgtable reaches its tables
    /// through the kernel's linear map, not one bus access at a time). The array must stay that
    /// page's storage for the memory's lifetime, so a caller may keep it; element accesses must be
    /// <see cref="Volatile"/> where a device may read concurrently. Null when this memory offers no
    /// such view: callers then use <see cref="Read64"/> and <see cref="Write64"/>.
    /// </summary>
    ulong[]? PageWords(ulong pa) => null;
}
