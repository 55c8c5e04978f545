namespace SmmuLab.Driver.Dma;

/// <summary>Why a flush queue flushed the domain.</summary>
internal enum FlushCause
{
    /// <summary>An enqueue found its ring full even after freeing what earlier flushes covered.</summary>
    Full,

    /// <summary>The timer armed by an enqueue expired.</summary>
    Timeout,

    /// <summary>The queue was torn down with a final flush (a model extension; Linux discards the entries).</summary>
    Teardown,
}
