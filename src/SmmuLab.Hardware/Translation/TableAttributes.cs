namespace SmmuLab.Hardware.Translation;

/// <summary>
/// Hierarchical attributes accumulated from stage-1 table descriptors on the way to a leaf (VMSAv8-64
/// APTable, XNTable/UXNTable, PXNTable). The values are descriptor bits [62:59] shifted down by 59.
/// Stage-2 table descriptors carry none. A walk-cache entry stores the attributes accumulated up to
/// and including its table descriptor, so a walk resumed from it restricts the leaf the same way.
/// </summary>
[Flags]
internal enum TableAttributes : byte
{
    None = 0,

    /// <summary>PXNTable (bit 59): privileged execute-never below.</summary>
    PXNTable = 1,

    /// <summary>XNTable / UXNTable (bit 60): unprivileged execute-never below.</summary>
    XNTable = 2,

    /// <summary>APTable[0] (bit 61): no unprivileged access below.</summary>
    NoUnprivileged = 4,

    /// <summary>APTable[1] (bit 62): no write access below.</summary>
    ReadOnly = 8,
}
