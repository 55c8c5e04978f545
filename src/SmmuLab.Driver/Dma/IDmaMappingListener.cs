namespace SmmuLab.Driver.Dma;

/// <summary>
/// Told, in order, what an <see cref="IommuDma"/> domain did to its page tables and its caches, so a
/// checker (the stale-translation oracle) can tell a translation that software still allows from a
/// stale one: what is mapped, what a strict unmap has killed, what a lazy unmap left in the deferred
/// window, and which whole-domain flush closed that window.
/// </summary>
/// <remarks>
/// Calls come from the thread that made the change, outside the domain's locks, and may come from
/// several threads at once: an implementation is thread-safe. The order rules:
/// <list type="bullet">
/// <item><see cref="Mapped"/> after the page-table entries are written (before the DMA address is returned);</item>
/// <item><see cref="Unmapped"/> after the entries are cleared and their invalidation completed (strict);</item>
/// <item><see cref="UnmappedDeferred"/> after the leaf entries are cleared and before the IOVA is queued,
/// so that any flush which starts after it also removes every cached copy of them;</item>
/// <item><see cref="FlushStarting"/> before the whole-domain invalidation is issued, and
/// <see cref="FlushFinished"/> with its ticket after it completed: the flush covers every deferred
/// unmap reported before <see cref="FlushStarting"/>.</item>
/// </list>
/// </remarks>
public interface IDmaMappingListener
{
    /// <summary>IOVA [<paramref name="iova"/>, +<paramref name="bytes"/>) now maps PA <paramref name="pa"/> onwards.</summary>
    void Mapped(ulong iova, ulong pa, ulong bytes);

    /// <summary>The range is unmapped and invalidated: no translation of it may be used any more.</summary>
    void Unmapped(ulong iova, ulong bytes);

    /// <summary>The range is unmapped but not invalidated (a lazy domain): cached translations may still be used until a flush.</summary>
    void UnmappedDeferred(ulong iova, ulong bytes);

    /// <summary>A whole-domain flush is about to be issued; the ticket goes back in <see cref="FlushFinished"/>.</summary>
    long FlushStarting();

    /// <summary>The flush that <see cref="FlushStarting"/> returned <paramref name="ticket"/> for has completed.</summary>
    void FlushFinished(long ticket);
}
