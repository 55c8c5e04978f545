namespace SmmuLab.Driver.Platform;

/// <summary>How a <see cref="Waiter"/> passes the time between two looks at a wait's condition.</summary>
public enum WaitPace
{
    /// <summary>
    /// Another CPU is a few instructions from done (a producer marking its slots, the previous
    /// owner writing PROD, a reader leaving a fence): spin, then yield, then sleep
    /// (<see cref="SpinWait"/>). Never times out, as in the kernel.
    /// </summary>
    Spin,

    /// <summary>A register the SMMU updates promptly (CR0ACK, IRQ_CTRLACK, GBPA.Update, CMDQV enables): yield the core between reads.</summary>
    Yield,

    /// <summary>
    /// The kernel's <c>queue_poll</c> (queue space, CMD_SYNC completion): WFE when an event source
    /// is given, else a few <c>cpu_relax()</c> rounds, then a delay that doubles up to about a
    /// millisecond.
    /// </summary>
    Backoff,
}
