namespace SmmuLab.Architecture.Memory;

/// <summary>
/// Shareability encodings, the same in every 2-bit SH field: translation descriptors SH[1:0], CD
/// SH0, STE S1CSH and S2SH0, CR1 QUEUE_SH and TABLE_SH, CMD_SYNC MSH, the IRQ_CFG2 SH fields
/// (IHI0070 6.3.12, 4.7.3; Arm ARM D8.6.2). The override fields STE.SHCFG and GBPA.SHCFG add
/// <see cref="UseIncoming"/>.
/// </summary>
public static class Shareability
{
    public const uint NonShareable = 0b00;

    /// <summary>SHCFG only: keep the incoming shareability (reserved in the other SH fields).</summary>
    public const uint UseIncoming = 0b01;

    public const uint Outer = 0b10;
    public const uint Inner = 0b11;
}
