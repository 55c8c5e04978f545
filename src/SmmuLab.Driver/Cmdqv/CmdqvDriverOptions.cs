namespace SmmuLab.Driver.Cmdqv;

/// <summary>Probe-time choices of the Tegra241 CMDQV driver (the kernel's module parameters, plus model switches).</summary>
public sealed record CmdqvDriverOptions
{
    public string Name { get; init; } = "cmdqv0";

    /// <summary>Linux <c>disable_cmdqv</c>: clear CMDQV_EN and keep using the SMMU's CMDQ only.</summary>
    public bool Disable { get; init; }

    /// <summary>Linux <c>bypass_vcmdq</c>: probe everything but send every command to the SMMU's CMDQ.</summary>
    public bool BypassVcmdq { get; init; }

    /// <summary>
    /// Largest VCMDQ wanted, log2 entries; the queue gets min(this, SMMU_IDR1.CMDQS), at least
    /// <see cref="Cmdq.CommandQueueOptions.MinLog2Entries"/>. Linux's tegra241-cmdqv takes
    /// min(<c>CMDQ_MAX_SZ_SHIFT</c>, IDR1.CMDQS), as for the SMMU's own queue: 16 on arm64's defconfig.
    /// </summary>
    public int MaxQueueLog2 { get; init; } = 16;

    /// <summary>
    /// Reproduces the bug fixed by Linux 803e41f36d22: each VCMDQ's supported-command check is
    /// chosen when its queue is allocated, before VINTF0's HYP_OWN has been read back, so host
    /// queues get the guest filter and every non-invalidation command goes to the SMMU's CMDQ.
    /// Off (the fix): the check is chosen in the VCMDQ hardware init, from the HYP_OWN read back.
    /// </summary>
    public bool BuggyInitOrder { get; init; }

    /// <summary>
    /// Which "CPU" the calling thread is, to pick its logical VCMDQ (<c>cpu % queues</c>); null numbers
    /// the threads per driver (<see cref="CpuNumbering"/>).
    /// </summary>
    public Func<int>? CurrentCpu { get; init; }

    /// <summary>Maximum time to wait for an enable/disable acknowledgement or a CMD_SYNC.</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromSeconds(1);
}
