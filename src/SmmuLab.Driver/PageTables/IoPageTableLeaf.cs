namespace SmmuLab.Driver.PageTables;

/// <summary>The leaf descriptor that maps an IOVA, as found by <see cref="IoPageTable.TryGetLeaf"/>.</summary>
/// <param name="OutputAddress">The PA the IOVA translates to (not the base of the page).</param>
/// <param name="Descriptor">The leaf descriptor as stored.</param>
/// <param name="DescriptorAddress">PA of the descriptor.</param>
/// <param name="Level">Lookup level of the leaf: 3 for a page, lower for a block.</param>
/// <param name="Size">Bytes the leaf maps.</param>
internal readonly record struct IoPageTableLeaf(ulong OutputAddress, ulong Descriptor, ulong DescriptorAddress, int Level, ulong Size);
