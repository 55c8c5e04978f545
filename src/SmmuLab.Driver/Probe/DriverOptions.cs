using SmmuLab.Driver.Cmdq;

namespace SmmuLab.Driver.Probe;

/// <summary>Probe-time choices (the kernel's module parameters and firmware hints).</summary>
public sealed record DriverOptions
{
    public string Name { get; init; } = "smmu0";

    /// <summary>
    /// Largest command queue wanted, log2 entries (capped by IDR1.CMDQS). Linux's cap is
    /// <c>CMDQ_MAX_SZ_SHIFT</c> = <c>Q_MAX_SZ_SHIFT</c> − 4, with <c>Q_MAX_SZ_SHIFT</c> =
    /// <c>PAGE_SHIFT + CONFIG_CMA_ALIGNMENT</c>: 12 + 8 on arm64's defconfig, so 16 (a 1 MiB queue).
    /// A queue much smaller than Linux's fills far more often when CPUs overlap, since its cached
    /// CONS is refreshed only by the last CMD_SYNC waiter out.
    /// </summary>
    public int MaxCmdqLog2 { get; init; } = 16;

    /// <summary>Largest event queue wanted, log2 entries (capped by IDR1.EVENTQS).</summary>
    public int MaxEvtqLog2 { get; init; } = 8;

    /// <summary>Linux <c>disable_msipolling</c>.</summary>
    public bool DisableMsiPolling { get; init; }

    /// <summary>Forces a completion mode instead of probing one (tests, comparisons).</summary>
    public SyncCompletionMode? Completion { get; init; }

    /// <summary>Linux <c>ARM_SMMU_OPT_SKIP_PREFETCH</c>: no CMD_PREFETCH_CONFIG after STE writes.</summary>
    public bool SkipPrefetch { get; init; }

    /// <summary>
    /// Linux <c>ARM_SMMU_OPT_CMDQ_FORCE_SYNC</c> (Arm MMU-700 erratum 2812531): a command batch that
    /// holds 63 commands is issued with a CMD_SYNC before it takes another. The errata handling sets it.
    /// </summary>
    public bool CmdqForceSync { get; init; }

    /// <summary>
    /// Not in Linux (off by default, as Linux): a range TLBI that cannot be expressed with a
    /// five-bit SCALE (IHI0070 4.4.1.1; a range of 2^32 pages or more, which Linux's split encodes
    /// with SCALE mod 32 and so under-invalidates) or that passes the top of the address space is
    /// replaced by the whole-ASID/VMID command (TLBI_NH_ASID, TLBI_EL2_ASID or TLBI_S12_VMALL), as a
    /// too-big range is. ATC invalidations are unchanged: their span already covers any range.
    /// See docs/findings.md.
    /// </summary>
    public bool RangeFallback { get; init; }

    /// <summary>Maximum time to wait for a register acknowledgement or a CMD_SYNC.</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromSeconds(1);
}
