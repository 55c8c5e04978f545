using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Driver.Cmdq;

/// <summary>How a <see cref="CommandQueue"/> is built; the prober fills it from the ID registers and errata.</summary>
public sealed record CommandQueueOptions
{
    /// <summary>The smallest queue: one full batch plus its CMD_SYNC must fit, and the size is a multiple of 64.</summary>
    public const int MinLog2Entries = 7;

    /// <summary>The architectural maximum of SMMU_IDR1.CMDQS.</summary>
    public const int MaxLog2Entries = 19;

    /// <summary>
    /// log2 of the entries wanted: the prober's min(IDR1.CMDQS, the allocator's limit). The queue
    /// halves it while the allocation fails, down to <see cref="MinLog2Entries"/>.
    /// </summary>
    public required int Log2Entries { get; init; }

    /// <summary>How CMD_SYNCs complete and are waited for.</summary>
    public SyncCompletionMode Completion { get; init; } = SyncCompletionMode.Sev;

    /// <summary>
    /// Force a CMD_SYNC into every batch once it holds 63 commands (Linux ARM_SMMU_OPT_CMDQ_FORCE_SYNC,
    /// the workaround for Arm MMU-700 erratum 2812531).
    /// </summary>
    public bool ForceSync { get; init; }

    /// <summary>The longest wait for the SMMU (space in the queue, a CMD_SYNC) before <see cref="CommandQueueTimeoutException"/>.</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The queue's PROD register offset (SMMU_CMDQ_PROD for the main queue).</summary>
    public int ProdRegister { get; init; } = SmmuRegister.CMDQ_PROD;

    /// <summary>The queue's CONS register offset (SMMU_CMDQ_CONS for the main queue).</summary>
    public int ConsRegister { get; init; } = SmmuRegister.CMDQ_CONS;

    /// <summary>
    /// Which commands this queue accepts; null means all. Secondary queues (Tegra241 VCMDQs owned
    /// by a guest) accept only some opcodes and <see cref="CommandBatch"/> moves the rest elsewhere.
    /// </summary>
    public Func<Command, bool>? Supports { get; init; }

    /// <summary>A name for messages.</summary>
    public string Name { get; init; } = "cmdq";

    /// <summary>
    /// The probe's choice of completion mode: MSI polling when the SMMU can write MSIs and its
    /// accesses are coherent (so the waiter sees the MSI write in its cache) and the platform does
    /// not disable it; otherwise SEV when the SMMU implements it (and no erratum removed it);
    /// otherwise busy polling.
    /// </summary>
    public static SyncCompletionMode CompletionFor(bool msi, bool coherent, bool sev, bool disableMsiPolling = false) =>
        msi && coherent && !disableMsiPolling ? SyncCompletionMode.Msi : sev ? SyncCompletionMode.Sev : SyncCompletionMode.Poll;

    /// <summary><see cref="CompletionFor(bool, bool, bool, bool)"/> from SMMU_IDR0 (MSI, COHACC and SEV).</summary>
    public static SyncCompletionMode CompletionFor(uint idr0, bool disableMsiPolling = false) =>
        CompletionFor(Idr0.MSI.IsSet(idr0), Idr0.COHACC.IsSet(idr0), Idr0.SEV.IsSet(idr0), disableMsiPolling);
}
