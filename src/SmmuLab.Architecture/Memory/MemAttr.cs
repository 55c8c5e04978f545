namespace SmmuLab.Architecture.Memory;

/// <summary>
/// The 4-bit MemAttr encodings shared by stage-2 translation descriptors, STE.MemAttr,
/// GBPA.MemAttr, the IRQ_CFG2 MemAttr fields and CMD_SYNC MSIAttr (IHI0070 13.1.5; Arm ARM
/// D8.6.5).
/// </summary>
public static class MemAttr
{
    public const uint DeviceNGnRE = 0b0001;

    /// <summary>Normal, inner and outer non-cacheable.</summary>
    public const uint NormalNonCacheable = 0b0101;

    /// <summary>Stage 2 with FEAT_S2FWB: force Normal write-back whatever stage 1 says.</summary>
    public const uint ForceWriteBack = 0b0110;

    /// <summary>Normal, inner and outer write-back (stage 1 may make it weaker).</summary>
    public const uint NormalWriteBack = 0b1111;
}
