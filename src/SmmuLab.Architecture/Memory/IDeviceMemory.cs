namespace SmmuLab.Architecture.Memory;

/// <summary>
/// The system's physical address space as a device sees it from the bus: little-endian, naturally
/// aligned 32- and 64-bit accesses, byte copies, and an atomic 32-bit compare-exchange, each of
/// which may fail. An access where no memory responds (an external abort on the bus) returns false
/// and changes nothing; the device decides what that means (CERROR_ABT, F_WALK_EABT, a GERROR
/// abort bit...). This is all an SMMU model needs of memory: no allocation, no CPU-side view
/// (<see cref="IPhysicalMemory"/> is software's). An emulator embedding the model implements it
/// over its system bus. Addresses are 52-bit PAs.
/// </summary>
public interface IDeviceMemory
{
    bool TryRead32(ulong pa, out uint value);

    bool TryRead64(ulong pa, out ulong value);

    /// <summary>A 32-bit write with release semantics (an MSI write, a completion word).</summary>
    bool TryWrite32(ulong pa, uint value);

    bool TryWrite64(ulong pa, ulong value);

    /// <summary>Atomically replaces the word at <paramref name="pa"/> with <paramref name="value"/> if it equals <paramref name="comparand"/>; <paramref name="original"/> is the word before.</summary>
    bool TryCompareExchange32(ulong pa, uint value, uint comparand, out uint original);

    /// <summary>Reads <paramref name="destination"/>.Length bytes; false (and nothing read) unless every byte is backed.</summary>
    bool TryRead(ulong pa, Span<byte> destination);

    /// <summary>Writes <paramref name="source"/>; false (and nothing written) unless every byte is backed.</summary>
    bool TryWrite(ulong pa, ReadOnlySpan<byte> source);

    /// <summary>
    /// The backed 4 KiB page holding <paramref name="pa"/> as 512 little-endian 64-bit words, the
    /// memory's own storage, for a device that reads one structure of its own over and over (an
    /// SMMU fetching its command queue). The array must stay that page's storage for the memory's
    /// lifetime, so the device may keep it; element accesses are <see cref="Volatile"/>. Null when
    /// the page is not backed or this memory offers no such view (one that checks or records each
    /// access, say): the device then uses the accesses above.
    /// </summary>
    ulong[]? BackedPageWords(ulong pa) => null;
}
