namespace SmmuLab.Replay.Engine;

/// <summary>Why an event of the trace was not replayed as it stands; each is counted with a few sample lines.</summary>
public enum ReplayProblem
{
    /// <summary>An unmap, <c>dma_unmap_sg</c> or free whose mapping the replay does not have (made before the trace started, or lost).</summary>
    UnmatchedUnmap,

    /// <summary>A map at a trace address that is still mapped (its unmap was lost): the earlier mapping stays, unreachable.</summary>
    AddressStillMapped,

    /// <summary>The simulated driver refused the call (no IOVA space, page-table refusal, an unmap of nothing).</summary>
    Refused,

    /// <summary>The event lacks what the replay needs (no physical address, direction NONE, a truncated list, a device that could not be set up).</summary>
    NotReplayable,

    /// <summary>An <c>iommu</c> map/unmap outside the DMA range of the call holding it, or an unmap that released less than asked.</summary>
    Inconsistent,

    /// <summary>An <c>iommu</c> map/unmap no rule gave a device.</summary>
    Unattributed,
}
