namespace SmmuLab.Driver.PageTables;

/// <summary>Why a map or unmap request was refused. A refused request leaves the tables as they were.</summary>
public enum IoPageTableError
{
    /// <summary>The size is zero.</summary>
    ZeroSize,

    /// <summary>The IOVA, PA or size is not a multiple of the smallest page size (the granule).</summary>
    Unaligned,

    /// <summary>The range does not fit the input size (IOVA) or the output size (PA), or wraps.</summary>
    OutOfRange,

    /// <summary>The protection asks for neither read nor write access.</summary>
    NoAccess,

    /// <summary>Part of the range is already mapped (map requires an unmap first).</summary>
    AlreadyMapped,

    /// <summary>Part of the range is not mapped (unmap of a hole).</summary>
    NotMapped,

    /// <summary>The unmap would cover only part of a block; blocks are never split.</summary>
    BlockSplit,
}
