namespace SmmuLab.Driver.Cmdq;

/// <summary>
/// How a CMD_SYNC issued on a <see cref="CommandQueue"/> reports completion, and so how its issuer
/// waits. The prober picks it: <see cref="Msi"/> when SMMU_IDR0.MSI is set and the SMMU is
/// coherent, otherwise <see cref="Sev"/> (waiting with WFE only when IDR0.SEV is set and the
/// platform wires the event), and <see cref="Poll"/> for queues that must be busy-polled.
/// </summary>
public enum SyncCompletionMode
{
    /// <summary>
    /// CS = SIG_IRQ with MSIAddress = the CMD_SYNC's own queue slot and MSIData = 0: the SMMU
    /// overwrites the first 32 bits of the entry with zero, and the waiter spins on that word.
    /// </summary>
    Msi,

    /// <summary>
    /// CS = SIG_SEV: the waiter polls SMMU_CMDQ_CONS until it has passed the CMD_SYNC, sleeping in
    /// WFE between reads when the platform provides <see cref="Platform.WaitForEvent"/>.
    /// </summary>
    Sev,

    /// <summary>CS = SIG_NONE: the waiter busy-polls SMMU_CMDQ_CONS with back-off.</summary>
    Poll,
}
