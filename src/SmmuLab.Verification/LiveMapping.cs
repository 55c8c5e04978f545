namespace SmmuLab.Verification;

/// <summary>
/// One mapping the oracle was told of (<see cref="StaleTranslationOracle.Mapped"/>): IOVA pages
/// [<see cref="First"/>, <see cref="Last"/>] to the PA pages <see cref="Offset"/> further on, with a
/// number no other mapping of the oracle has. The live extents of a domain hold it (a part of it,
/// after a partial unmap), and a DMA thread keeps the few it used last (<see cref="LiveMappingTable"/>).
/// </summary>
/// <param name="First">First IOVA page mapped.</param>
/// <param name="Last">Last IOVA page mapped.</param>
/// <param name="Offset">PA page minus IOVA page (wrapping), as the dead extents are keyed.</param>
/// <param name="Id">The mapping's number, from 1.</param>
internal readonly record struct LiveMapping(ulong First, ulong Last, ulong Offset, long Id)
{
    /// <summary>True when the mapping covers <paramref name="iovaPage"/> and maps it to <paramref name="paPage"/>.</summary>
    public bool Maps(ulong iovaPage, ulong paPage) => iovaPage - First <= Last - First && iovaPage + Offset == paPage;
}
