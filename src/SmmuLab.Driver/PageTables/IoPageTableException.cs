namespace SmmuLab.Driver.PageTables;

/// <summary>A map or unmap request that was refused; nothing was changed.</summary>
public sealed class IoPageTableException : Exception
{
    public IoPageTableException(IoPageTableError reason, ulong iova, ulong size, string message)
        : base($"{reason}: {message} (iova 0x{iova:X}, size 0x{size:X})")
    {
        Reason = reason;
        Iova = iova;
        Size = size;
    }

    /// <summary>Why the request was refused.</summary>
    public IoPageTableError Reason { get; }

    /// <summary>The IOVA of the request, or of the page that failed the check.</summary>
    public ulong Iova { get; }

    /// <summary>The size of the request, or of the page that failed the check.</summary>
    public ulong Size { get; }
}
