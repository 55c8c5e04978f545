namespace SmmuLab.Hardware.Cmdqv;

/// <summary>How a <see cref="Tegra241Cmdqv"/> is built: its sizes (reported in CMDQV_PARAM) and where it runs.</summary>
public sealed record Tegra241CmdqvOptions
{
    public string Name { get; init; } = "cmdqv0";

    /// <summary>CMDQV_PARAM.VER.</summary>
    public int Version { get; init; } = 1;

    /// <summary>log2 of the number of VINTFs (at most 6: 64 VINTFs).</summary>
    public int VintfsLog2 { get; init; } = 2;

    /// <summary>log2 of the number of global VCMDQs (at most 7: 128 VCMDQs).</summary>
    public int VcmdqsLog2 { get; init; } = 4;

    /// <summary>log2 of the SID_MATCH/SID_REPLACE pairs per VINTF.</summary>
    public int SidsPerVintfLog2 { get; init; } = 4;

    /// <summary>The largest queue a VCMDQ_BASE.LOG2SIZE may describe (larger values are clamped).</summary>
    public int MaxQueueLog2 { get; init; } = 19;

    /// <summary>
    /// VINTF_CONFIG.HYP_OWN reads as 0 whatever is written: the CMDQV as a guest kernel sees it
    /// (the VMM masks the bit), so every VINTF is guest-owned.
    /// </summary>
    public bool HypOwnWiredToZero { get; init; }

    public int Vintfs => 1 << VintfsLog2;

    public int Vcmdqs => 1 << VcmdqsLog2;

    public int SidsPerVintf => 1 << SidsPerVintfLog2;

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(VintfsLog2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(VintfsLog2, 6);
        ArgumentOutOfRangeException.ThrowIfNegative(VcmdqsLog2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(VcmdqsLog2, 7);
        ArgumentOutOfRangeException.ThrowIfNegative(SidsPerVintfLog2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(SidsPerVintfLog2, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueueLog2, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxQueueLog2, 19);
        ArgumentOutOfRangeException.ThrowIfNegative(Version);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Version, 15);
    }
}
