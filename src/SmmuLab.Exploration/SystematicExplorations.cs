using SmmuLab.Driver.Cmdq;

namespace SmmuLab.Exploration;

/// <summary>
/// The explorations of the correct driver (the Linux design, the real command queue), in the
/// order the concurrency tests list them (docs/concurrency.md). The tests run each with their CI
/// iterations; <c>smmulab check --explore N</c> runs all of them, N iterations each.
/// </summary>
public static class SystematicExplorations
{
    /// <summary>(a) b attaches to a two-SMMU domain while its page is unmapped and b reads it.</summary>
    public static SystematicExploration AttachAgainstUnmapAndDma { get; } =
        new("attach vs unmap+DMA", () => AttachDetachExploration.Run(DesignFactory.Linux, detach: false));

    /// <summary>(a) b detaches from a two-SMMU domain while its page is unmapped and b reads it.</summary>
    public static SystematicExploration DetachAgainstUnmapAndDma { get; } =
        new("detach vs unmap+DMA", () => AttachDetachExploration.Run(DesignFactory.Linux, detach: true));

    /// <summary>(b) an ATS master detaches and reattaches while a reader walks the array past its trash.</summary>
    public static SystematicExploration UnrefAgainstReader { get; } =
        new("unref vs reader mid-array", () => AtsExploration.Run(DesignFactory.Linux, reattach: true));

    /// <summary>(c) an ATS master detaches while invalidations send ATC_INVs.</summary>
    public static SystematicExploration AtsDisableAgainstAtcInv { get; } =
        new("ATS disable vs ATC_INV in flight", () => AtsExploration.Run(DesignFactory.Linux, reattach: false));

    /// <summary>(d) three producers on the smallest command queue: batches, CMD_SYNCs, owner gathering, wrap, full queue.</summary>
    public static SystematicExploration CommandQueue { get; } =
        new("cmdq producers/owner/sync/wrap/full", () => CommandQueueExploration.Run(CommandQueueFault.None));

    /// <summary>(e) per-CPU VCMDQs of a Tegra241 CMDQV beside the SMMU's CMDQ.</summary>
    public static SystematicExploration Cmdqv { get; } =
        new("cmdqv per-CPU VCMDQs + CMDQ", () => CmdqvExploration.Run(CommandQueueFault.None));

    /// <summary>(f) lock-free one-page map/unmap, a racing double map and lookups beside the locked path changing tables.</summary>
    public static SystematicExploration PageTables { get; } =
        new("one-page map/unmap vs table changes", () => PageTableExploration.Run(Driver.PageTables.IoPageTableFault.None));

    /// <summary>All of them, in order.</summary>
    public static IReadOnlyList<SystematicExploration> All { get; } =
        [AttachAgainstUnmapAndDma, DetachAgainstUnmapAndDma, UnrefAgainstReader, AtsDisableAgainstAtcInv, CommandQueue, Cmdqv, PageTables];
}
