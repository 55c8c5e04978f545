namespace SmmuLab.Architecture.Registers;

/// <summary>
/// Offsets of the Non-secure SMMUv3 registers (IHI0070 6.2). Page 1 starts at
/// <see cref="Page1"/>; the event and PRI queue PROD/CONS live there. Linux names are the same with
/// an <c>ARM_SMMU_</c> prefix.
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

    /// <summary>True for the registers that are 64 bits wide (accessible as two 32-bit halves).</summary>
    public static bool Is64Bit(int offset) => offset is GERROR_IRQ_CFG0 or STRTAB_BASE or CMDQ_BASE or EVENTQ_BASE
        or EVENTQ_IRQ_CFG0 or PRIQ_BASE or PRIQ_IRQ_CFG0;

    /// <summary>The spec name of a register offset, or null.</summary>
    public static string? NameOf(int offset) => offset switch
    {
        IDR0 => "IDR0",
        IDR1 => "IDR1",
        IDR2 => "IDR2",
        IDR3 => "IDR3",
        IDR4 => "IDR4",
        IDR5 => "IDR5",
        IIDR => "IIDR",
        AIDR => "AIDR",
        CR0 => "CR0",
        CR0ACK => "CR0ACK",
        CR1 => "CR1",
        CR2 => "CR2",
        STATUSR => "STATUSR",
        GBPA => "GBPA",
        AGBPA => "AGBPA",
        IRQ_CTRL => "IRQ_CTRL",
        IRQ_CTRLACK => "IRQ_CTRLACK",
        GERROR => "GERROR",
        GERRORN => "GERRORN",
        GERROR_IRQ_CFG0 => "GERROR_IRQ_CFG0",
        GERROR_IRQ_CFG1 => "GERROR_IRQ_CFG1",
        GERROR_IRQ_CFG2 => "GERROR_IRQ_CFG2",
        STRTAB_BASE => "STRTAB_BASE",
        STRTAB_BASE_CFG => "STRTAB_BASE_CFG",
        CMDQ_BASE => "CMDQ_BASE",
        CMDQ_PROD => "CMDQ_PROD",
        CMDQ_CONS => "CMDQ_CONS",
        EVENTQ_BASE => "EVENTQ_BASE",
        EVENTQ_IRQ_CFG0 => "EVENTQ_IRQ_CFG0",
        EVENTQ_IRQ_CFG1 => "EVENTQ_IRQ_CFG1",
        EVENTQ_IRQ_CFG2 => "EVENTQ_IRQ_CFG2",
        PRIQ_BASE => "PRIQ_BASE",
        PRIQ_IRQ_CFG0 => "PRIQ_IRQ_CFG0",
        PRIQ_IRQ_CFG1 => "PRIQ_IRQ_CFG1",
        PRIQ_IRQ_CFG2 => "PRIQ_IRQ_CFG2",
        EVENTQ_PROD => "EVENTQ_PROD",
        EVENTQ_CONS => "EVENTQ_CONS",
        PRIQ_PROD => "PRIQ_PROD",
        PRIQ_CONS => "PRIQ_CONS",
        _ => null,
    };
}
