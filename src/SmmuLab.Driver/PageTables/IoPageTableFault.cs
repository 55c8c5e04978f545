namespace SmmuLab.Driver.PageTables;

/// <summary>A deliberate defect of <see cref="IoPageTable"/> for the concurrency tests' negative controls; never set by the driver.</summary>
internal enum IoPageTableFault
{
    None,

    /// <summary>The lock-free one-page map checks its slot and then stores the leaf, instead of one compare-and-swap.</summary>
    UncheckedLeafWrite,
}
