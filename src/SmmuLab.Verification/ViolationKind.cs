namespace SmmuLab.Verification;

/// <summary>Why the oracle rejected a page of DMA.</summary>
public enum ViolationKind
{
    /// <summary>
    /// The access used a translation that software had removed and whose invalidation had
    /// completed: an unmapped page, or a domain the device had been detached or moved from.
    /// </summary>
    Stale,

    /// <summary>The device's domain never mapped that IOVA to that PA (nor did any domain the device left).</summary>
    Unmapped,

    /// <summary>The device (or PASID) was attached to the blocked domain, or to nothing, yet DMA reached memory.</summary>
    Blocked,
}
