namespace SmmuLab.Driver.Platform;

/// <summary>
/// The steps of the driver whose order against other CPUs matters: where a systematic concurrency
/// tester may switch to another thread (<see cref="Waiter.At"/>). The plain waiter ignores them.
/// </summary>
public enum OrderingPoint
{
    /// <summary>An attach is about to publish the new domain's invalidation array (before the STE/CD install).</summary>
    ArrayPublish,

    /// <summary>An invalidation is about to load the domain's published array.</summary>
    ArrayLoad,

    /// <summary>An invalidation is between two entries of its array snapshot.</summary>
    ArrayEntry,

    /// <summary>An unref is about to lower an entry's users, or to store the new count.</summary>
    Unref,

    /// <summary>An attach is about to write the STE/CD (the new domain is published).</summary>
    SteInstall,

    /// <summary>An attach has written the STE/CD and is about to update ATS and unref the old domain.</summary>
    SteInstalled,

    /// <summary>An attach is about to switch a function's ATS off (before the STE stops allowing it).</summary>
    AtsDisable,

    /// <summary>A producer is about to read the shared PROD/CONS word and reserve slots.</summary>
    CmdqReserve,

    /// <summary>A producer has reserved its slots and is about to write its commands.</summary>
    CmdqWrite,

    /// <summary>A producer is about to mark its slots valid.</summary>
    CmdqMarkValid,

    /// <summary>The owner is about to stop gathering (clear the owned flag).</summary>
    CmdqOwnerClose,

    /// <summary>The owner is about to write SMMU_CMDQ_PROD.</summary>
    CmdqPublish,

    /// <summary>The owner is about to hand over to the next owner.</summary>
    CmdqHandover,

    /// <summary>A CMD_SYNC waiter is about to release the queue's shared lock.</summary>
    CmdqSyncRelease,

    /// <summary>A lock-free one-page map or unmap has found its leaf slot and is about to change it.</summary>
    PageTableLeaf,
}
