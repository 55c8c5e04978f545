namespace SmmuLab.Replay.Engine;

/// <summary>How unmaps invalidate during a replay: the DMA domains' type.</summary>
public enum ReplayMode
{
    /// <summary>Strict DMA domains (<c>iommu.strict=1</c>): every unmap invalidates and waits at once.</summary>
    Strict,

    /// <summary>Lazy (DMA-FQ) domains: unmaps are queued and flushed by the 10 ms timer or a full ring.</summary>
    Deferred,
}
