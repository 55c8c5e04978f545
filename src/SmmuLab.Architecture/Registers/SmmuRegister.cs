namespace SmmuLab.Architecture.Registers;

/// <summary>
/// Offsets of the Non-secure SMMUv3 registers (IHI0070 6.2). Page 1 starts at
/// <see cref="Page1"/>; the event and PRI queue PROD/CONS live there. Linux names are the same with
/// an <c>ARM_SMMU_</c> prefix. Widths, reset values and names are the model's register table
/// (<c>SmmuDevice.RegisterName</c>).
/// </summary>
public static class SmmuRegister
{
    public const int Page1 = 0x10000;

    /// <summary>Size of the MMIO region: two 64 KiB pages.</summary>
    public const int RegionSize = 0x20000;

    public const int IDR0 = 0x000;
    public const int IDR1 = 0x004;
    public const int IDR2 = 0x008;
    public const int IDR3 = 0x00C;
    public const int IDR4 = 0x010;
    public const int IDR5 = 0x014;
    public const int IIDR = 0x018;
    public const int AIDR = 0x01C;
    public const int CR0 = 0x020;
    public const int CR0ACK = 0x024;
    public const int CR1 = 0x028;
    public const int CR2 = 0x02C;
    public const int STATUSR = 0x040;
    public const int GBPA = 0x044;
    public const int AGBPA = 0x048;
    public const int IRQ_CTRL = 0x050;
    public const int IRQ_CTRLACK = 0x054;
    public const int GERROR = 0x060;
    public const int GERRORN = 0x064;
    public const int GERROR_IRQ_CFG0 = 0x068;
    public const int GERROR_IRQ_CFG1 = 0x070;
    public const int GERROR_IRQ_CFG2 = 0x074;
    public const int STRTAB_BASE = 0x080;
    public const int STRTAB_BASE_CFG = 0x088;
    public const int CMDQ_BASE = 0x090;
    public const int CMDQ_PROD = 0x098;
    public const int CMDQ_CONS = 0x09C;
    public const int EVENTQ_BASE = 0x0A0;
    public const int EVENTQ_IRQ_CFG0 = 0x0B0;
    public const int EVENTQ_IRQ_CFG1 = 0x0B8;
    public const int EVENTQ_IRQ_CFG2 = 0x0BC;
    public const int PRIQ_BASE = 0x0C0;
    public const int PRIQ_IRQ_CFG0 = 0x0D0;
    public const int PRIQ_IRQ_CFG1 = 0x0D8;
    public const int PRIQ_IRQ_CFG2 = 0x0DC;

    /// <summary>EVENTQ_PROD in page 1.</summary>
    public const int EVENTQ_PROD = Page1 + 0x0A8;

    /// <summary>EVENTQ_CONS in page 1.</summary>
    public const int EVENTQ_CONS = Page1 + 0x0AC;

    public const int PRIQ_PROD = Page1 + 0x0C8;
    public const int PRIQ_CONS = Page1 + 0x0CC;
}
