using SmmuLab.Architecture.Bits;

namespace SmmuLab.Architecture.Registers;

// Field layouts of the SMMUv3 registers (IHI0070 6.3). Each static class is one register; each
// member is one architected field, named as in the spec. Registers are single double words, so
// every field has Dword = 0.
#pragma warning disable SA1649, SA1402 // several small register classes share this file by design

/// <summary>SMMU_IDR0 (6.3.1).</summary>
public static class Idr0
{
    public static readonly Field S2P = new("S2P", 0, 0, 1);
    public static readonly Field S1P = new("S1P", 0, 1, 1);
    public static readonly Field TTF = new("TTF", 0, 2, 2);
    public static readonly Field COHACC = new("COHACC", 0, 4, 1);
    public static readonly Field BTM = new("BTM", 0, 5, 1);
    public static readonly Field HTTU = new("HTTU", 0, 6, 2);
    public static readonly Field DORMHINT = new("DORMHINT", 0, 8, 1);
    public static readonly Field HYP = new("HYP", 0, 9, 1);
    public static readonly Field ATS = new("ATS", 0, 10, 1);
    public static readonly Field NS1ATS = new("NS1ATS", 0, 11, 1);
    public static readonly Field ASID16 = new("ASID16", 0, 12, 1);
    public static readonly Field MSI = new("MSI", 0, 13, 1);
    public static readonly Field SEV = new("SEV", 0, 14, 1);
    public static readonly Field ATOS = new("ATOS", 0, 15, 1);
    public static readonly Field PRI = new("PRI", 0, 16, 1);
    public static readonly Field VMW = new("VMW", 0, 17, 1);
    public static readonly Field VMID16 = new("VMID16", 0, 18, 1);
    public static readonly Field CD2L = new("CD2L", 0, 19, 1);
    public static readonly Field VATOS = new("VATOS", 0, 20, 1);
    public static readonly Field TTENDIAN = new("TTENDIAN", 0, 21, 2);
    public static readonly Field ATSRECERR = new("ATSRECERR", 0, 23, 1);
    public static readonly Field STALL_MODEL = new("STALL_MODEL", 0, 24, 2);
    public static readonly Field TERM_MODEL = new("TERM_MODEL", 0, 26, 1);
    public static readonly Field ST_LEVEL = new("ST_LEVEL", 0, 27, 2);
    public static readonly Field RME_IMPL = new("RME_IMPL", 0, 30, 1);

    public static readonly Layout Layout = new("IDR0", 1, S2P, S1P, TTF, COHACC, BTM, HTTU, DORMHINT, HYP, ATS, NS1ATS,
        ASID16, MSI, SEV, ATOS, PRI, VMW, VMID16, CD2L, VATOS, TTENDIAN, ATSRECERR, STALL_MODEL, TERM_MODEL, ST_LEVEL, RME_IMPL);

    /// <summary>TTF value for VMSAv8-64 (AArch64) tables.</summary>
    public const uint TtfAArch64 = 2;

    /// <summary>TTF[0]: VMSAv8-32 LPAE (AArch32) tables are supported.</summary>
    public const uint TtfAArch32Bit = 0b01;

    /// <summary>TTF[1]: VMSAv8-64 (AArch64) tables are supported.</summary>
    public const uint TtfAArch64Bit = 0b10;

    /// <summary>TTENDIAN: little-endian only.</summary>
    public const uint TtEndianLittle = 2;
}

/// <summary>SMMU_IDR1 (6.3.2).</summary>
public static class Idr1
{
    public static readonly Field SIDSIZE = new("SIDSIZE", 0, 0, 6);
    public static readonly Field SSIDSIZE = new("SSIDSIZE", 0, 6, 5);
    public static readonly Field PRIQS = new("PRIQS", 0, 11, 5);
    public static readonly Field EVENTQS = new("EVENTQS", 0, 16, 5);
    public static readonly Field CMDQS = new("CMDQS", 0, 21, 5);
    public static readonly Field ATTR_PERMS_OVR = new("ATTR_PERMS_OVR", 0, 26, 1);
    public static readonly Field ATTR_TYPES_OVR = new("ATTR_TYPES_OVR", 0, 27, 1);
    public static readonly Field REL = new("REL", 0, 28, 1);
    public static readonly Field QUEUES_PRESET = new("QUEUES_PRESET", 0, 29, 1);
    public static readonly Field TABLES_PRESET = new("TABLES_PRESET", 0, 30, 1);
    public static readonly Field ECMDQ = new("ECMDQ", 0, 31, 1);

    public static readonly Layout Layout = new("IDR1", 1, SIDSIZE, SSIDSIZE, PRIQS, EVENTQS, CMDQS, ATTR_PERMS_OVR,
        ATTR_TYPES_OVR, REL, QUEUES_PRESET, TABLES_PRESET, ECMDQ);
}

/// <summary>SMMU_IDR3 (6.3.4).</summary>
public static class Idr3
{
    public static readonly Field HAD = new("HAD", 0, 2, 1);
    public static readonly Field PBHA = new("PBHA", 0, 3, 1);
    public static readonly Field XNX = new("XNX", 0, 4, 1);
    public static readonly Field PPS = new("PPS", 0, 5, 1);
    public static readonly Field MPAM = new("MPAM", 0, 7, 1);
    public static readonly Field FWB = new("FWB", 0, 8, 1);
    public static readonly Field STT = new("STT", 0, 9, 1);
    public static readonly Field RIL = new("RIL", 0, 10, 1);
    public static readonly Field BBML = new("BBML", 0, 11, 2);

    public static readonly Layout Layout = new("IDR3", 1, HAD, PBHA, XNX, PPS, MPAM, FWB, STT, RIL, BBML);
}

/// <summary>SMMU_IDR5 (6.3.6).</summary>
public static class Idr5
{
    public static readonly Field OAS = new("OAS", 0, 0, 3);
    public static readonly Field GRAN4K = new("GRAN4K", 0, 4, 1);
    public static readonly Field GRAN16K = new("GRAN16K", 0, 5, 1);
    public static readonly Field GRAN64K = new("GRAN64K", 0, 6, 1);
    public static readonly Field DS = new("DS", 0, 7, 1);
    public static readonly Field D128 = new("D128", 0, 8, 1);
    public static readonly Field VAX = new("VAX", 0, 10, 2);
    public static readonly Field STALL_MAX = new("STALL_MAX", 0, 16, 16);

    public static readonly Layout Layout = new("IDR5", 1, OAS, GRAN4K, GRAN16K, GRAN64K, DS, D128, VAX, STALL_MAX);
}

/// <summary>SMMU_IIDR (6.3.7).</summary>
public static class Iidr
{
    public static readonly Field Implementer = new("Implementer", 0, 0, 12);
    public static readonly Field Revision = new("Revision", 0, 12, 4);
    public static readonly Field Variant = new("Variant", 0, 16, 4);
    public static readonly Field ProductID = new("ProductID", 0, 20, 12);

    public static readonly Layout Layout = new("IIDR", 1, Implementer, Revision, Variant, ProductID);
}

/// <summary>SMMU_AIDR (6.3.8).</summary>
public static class Aidr
{
    public static readonly Field ArchMinorRev = new("ArchMinorRev", 0, 0, 4);
    public static readonly Field ArchMajorRev = new("ArchMajorRev", 0, 4, 4);
}

/// <summary>SMMU_CR0 and SMMU_CR0ACK (6.3.9).</summary>
public static class Cr0
{
    public static readonly Field SMMUEN = new("SMMUEN", 0, 0, 1);
    public static readonly Field PRIQEN = new("PRIQEN", 0, 1, 1);
    public static readonly Field EVENTQEN = new("EVENTQEN", 0, 2, 1);
    public static readonly Field CMDQEN = new("CMDQEN", 0, 3, 1);
    public static readonly Field ATSCHK = new("ATSCHK", 0, 4, 1);
    public static readonly Field VMW = new("VMW", 0, 6, 3);

    public static readonly Layout Layout = new("CR0", 1, SMMUEN, PRIQEN, EVENTQEN, CMDQEN, ATSCHK, VMW);

    /// <summary>The writable, acknowledged bits.</summary>
    public static readonly uint ImplementedMask = (uint)Layout.DefinedMask();

    /// <summary>The enables of the SMMU and its queues: CR1 may change only while all are 0 (6.3.11).</summary>
    public static readonly uint EnablesMask = (uint)(SMMUEN.InPlaceMask | PRIQEN.InPlaceMask | EVENTQEN.InPlaceMask | CMDQEN.InPlaceMask);
}

/// <summary>SMMU_CR1 (6.3.11).</summary>
public static class Cr1
{
    public static readonly Field QUEUE_IC = new("QUEUE_IC", 0, 0, 2);
    public static readonly Field QUEUE_OC = new("QUEUE_OC", 0, 2, 2);
    public static readonly Field QUEUE_SH = new("QUEUE_SH", 0, 4, 2);
    public static readonly Field TABLE_IC = new("TABLE_IC", 0, 6, 2);
    public static readonly Field TABLE_OC = new("TABLE_OC", 0, 8, 2);
    public static readonly Field TABLE_SH = new("TABLE_SH", 0, 10, 2);

    public static readonly Layout Layout = new("CR1", 1, QUEUE_IC, QUEUE_OC, QUEUE_SH, TABLE_IC, TABLE_OC, TABLE_SH);

    public static readonly uint ImplementedMask = (uint)Layout.DefinedMask();
}

/// <summary>SMMU_CR2 (6.3.12).</summary>
public static class Cr2
{
    public static readonly Field E2H = new("E2H", 0, 0, 1);
    public static readonly Field RECINVSID = new("RECINVSID", 0, 1, 1);
    public static readonly Field PTM = new("PTM", 0, 2, 1);
    public static readonly Field REC_CFG_ATS = new("REC_CFG_ATS", 0, 3, 1);

    public static readonly Layout Layout = new("CR2", 1, E2H, RECINVSID, PTM, REC_CFG_ATS);

    public static readonly uint ImplementedMask = (uint)Layout.DefinedMask();
}

/// <summary>SMMU_GBPA (6.3.14).</summary>
public static class Gbpa
{
    public static readonly Field MemAttr = new("MemAttr", 0, 0, 4);
    public static readonly Field MTCFG = new("MTCFG", 0, 4, 1);
    public static readonly Field ALLOCCFG = new("ALLOCCFG", 0, 8, 4);
    public static readonly Field SHCFG = new("SHCFG", 0, 12, 2);
    public static readonly Field PRIVCFG = new("PRIVCFG", 0, 16, 2);
    public static readonly Field INSTCFG = new("INSTCFG", 0, 18, 2);
    public static readonly Field ABORT = new("ABORT", 0, 20, 1);
    public static readonly Field Update = new("Update", 0, 31, 1);

    public static readonly Layout Layout = new("GBPA", 1, MemAttr, MTCFG, ALLOCCFG, SHCFG, PRIVCFG, INSTCFG, ABORT, Update);

    /// <summary>The bits a completed update stores: every field but Update, which reads as 0 once the update is done.</summary>
    public static readonly uint ImplementedMask = (uint)(Layout.DefinedMask() & ~Update.InPlaceMask);

    /// <summary>Reset value: SHCFG = 0b01, use incoming (a constant, for use in attributes).</summary>
    public const uint ResetValue = ShcfgUseIncoming << 12;

    /// <summary>SHCFG = 0b01: use the incoming shareability.</summary>
    public const uint ShcfgUseIncoming = 0b01;
}

/// <summary>SMMU_IRQ_CTRL and SMMU_IRQ_CTRLACK (6.3.18).</summary>
public static class IrqCtrl
{
    public static readonly Field GERROR_IRQEN = new("GERROR_IRQEN", 0, 0, 1);
    public static readonly Field PRIQ_IRQEN = new("PRIQ_IRQEN", 0, 1, 1);
    public static readonly Field EVENTQ_IRQEN = new("EVENTQ_IRQEN", 0, 2, 1);

    public static readonly Layout Layout = new("IRQ_CTRL", 1, GERROR_IRQEN, PRIQ_IRQEN, EVENTQ_IRQEN);

    public static readonly uint ImplementedMask = (uint)Layout.DefinedMask();
}

/// <summary>SMMU_GERROR and SMMU_GERRORN (6.3.19, 6.3.20). An error is active while the two bits differ.</summary>
public static class GError
{
    public const uint CMDQ_ERR = 1u << 0;
    public const uint EVENTQ_ABT_ERR = 1u << 2;
    public const uint PRIQ_ABT_ERR = 1u << 3;
    public const uint MSI_CMDQ_ABT_ERR = 1u << 4;
    public const uint MSI_EVENTQ_ABT_ERR = 1u << 5;
    public const uint MSI_PRIQ_ABT_ERR = 1u << 6;
    public const uint MSI_GERROR_ABT_ERR = 1u << 7;
    public const uint SFM_ERR = 1u << 8;
    public const uint CMDQP_ERR = 1u << 9;
    public const uint DPT_ERR = 1u << 10;

    /// <summary>The errors this model implements (CMDQP_ERR and DPT_ERR are not).</summary>
    public static readonly Layout Layout = new("GERROR", 1,
        new Field("CMDQ_ERR", 0, 0, 1), new Field("EVENTQ_ABT_ERR", 0, 2, 1), new Field("PRIQ_ABT_ERR", 0, 3, 1),
        new Field("MSI_CMDQ_ABT_ERR", 0, 4, 1), new Field("MSI_EVENTQ_ABT_ERR", 0, 5, 1),
        new Field("MSI_PRIQ_ABT_ERR", 0, 6, 1), new Field("MSI_GERROR_ABT_ERR", 0, 7, 1), new Field("SFM_ERR", 0, 8, 1));

    /// <summary>The bits this model implements.</summary>
    public static readonly uint ImplementedMask = (uint)Layout.DefinedMask();
}

/// <summary>The *_IRQ_CFG0/1/2 registers of the GERROR, EVENTQ and PRIQ interrupts (6.3.21-6.3.23).</summary>
public static class IrqCfg
{
    /// <summary>
    /// CFG0.ADDR [55:2]: the MSI target physical address (6.3.21). ADDR == 0 means no MSI; bits
    /// above the OAS are RES0 and the MSI write is truncated to the OAS (3.4.3). Linux masks the
    /// address with bits [51:2] (<c>MSI_CFG0_ADDR_MASK</c>), which is within this field.
    /// </summary>
    public static readonly Field ADDR = new("ADDR", 0, 2, 54, FieldKind.Address);

    /// <summary>CFG1.DATA: the MSI payload.</summary>
    public static readonly Field DATA = new("DATA", 0, 0, 32);

    /// <summary>CFG2.MemAttr.</summary>
    public static readonly Field MemAttr = new("MemAttr", 0, 0, 4);

    /// <summary>CFG2.SH.</summary>
    public static readonly Field SH = new("SH", 0, 4, 2);

    public static readonly Layout Cfg0Layout = new("IRQ_CFG0", 1, ADDR);

    public static readonly Layout Cfg1Layout = new("IRQ_CFG1", 1, DATA);

    public static readonly Layout Cfg2Layout = new("IRQ_CFG2", 1, MemAttr, SH);
}

/// <summary>SMMU_STRTAB_BASE (6.3.24) and SMMU_STRTAB_BASE_CFG (6.3.25).</summary>
public static class StrtabBase
{
    public static readonly Field ADDR = new("ADDR", 0, 6, 46, FieldKind.Address);
    public static readonly Field RA = new("RA", 0, 62, 1);

    public static readonly Field LOG2SIZE = new("LOG2SIZE", 0, 0, 6);
    public static readonly Field SPLIT = new("SPLIT", 0, 6, 5);
    public static readonly Field FMT = new("FMT", 0, 16, 2);

    public static readonly Layout Layout = new("STRTAB_BASE", 1, ADDR, RA);

    public static readonly Layout CfgLayout = new("STRTAB_BASE_CFG", 1, LOG2SIZE, SPLIT, FMT);

    public const uint FmtLinear = 0;
    public const uint Fmt2Level = 1;
}

/// <summary>SMMU_CMDQ_BASE, SMMU_EVENTQ_BASE and SMMU_PRIQ_BASE (6.3.26, 6.3.29).</summary>
public static class QueueBase
{
    public static readonly Field LOG2SIZE = new("LOG2SIZE", 0, 0, 5);
    public static readonly Field ADDR = new("ADDR", 0, 5, 47, FieldKind.Address);

    /// <summary>RA for the command queue, WA for the event and PRI queues.</summary>
    public static readonly Field RWA = new("RWA", 0, 62, 1);

    public static readonly Layout Layout = new("Q_BASE", 1, LOG2SIZE, ADDR, RWA);

    /// <summary>
    /// The base a queue is really at: ADDR with the bits below MAX(queue size in bytes, 32) treated
    /// as zero (6.3.26).
    /// </summary>
    public static ulong AlignedBase(ulong address, int log2Entries, int entryBytes) =>
        address & ~(Math.Max((ulong)entryBytes << log2Entries, 32) - 1);
}

/// <summary>Queue PROD/CONS registers (6.3.27, 6.3.28).</summary>
public static class QueuePointer
{
    /// <summary>PROD.WR / CONS.RD: the index and, above it, the wrap bit, for queues of up to 2^19 entries.</summary>
    public static readonly Field WR = new("WR", 0, 0, 20);

    /// <summary>CONS.RD: as <see cref="WR"/>.</summary>
    public static readonly Field RD = new("RD", 0, 0, 20);

    /// <summary>CMDQ_CONS.ERR: the command error reason.</summary>
    public static readonly Field ERR = new("ERR", 0, 24, 7);

    /// <summary>EVENTQ_PROD.OVFLG, PRIQ_PROD.OVFLG: the queue overflowed.</summary>
    public static readonly Field OVFLG = new("OVFLG", 0, 31, 1);

    /// <summary>EVENTQ_CONS.OVACKFLG, PRIQ_CONS.OVACKFLG: the last overflow software has seen.</summary>
    public static readonly Field OVACKFLG = new("OVACKFLG", 0, 31, 1);

    /// <summary>EVENTQ_PROD.OVFLG / EVENTQ_CONS.OVACKFLG, in place.</summary>
    public static readonly uint OverflowFlag = (uint)OVFLG.InPlaceMask;

    public static readonly Layout CmdqProdLayout = new("CMDQ_PROD", 1, WR);

    public static readonly Layout CmdqConsLayout = new("CMDQ_CONS", 1, RD, ERR);

    /// <summary>EVENTQ_PROD and PRIQ_PROD.</summary>
    public static readonly Layout OutputProdLayout = new("Q_PROD", 1, WR, OVFLG);

    /// <summary>EVENTQ_CONS and PRIQ_CONS.</summary>
    public static readonly Layout OutputConsLayout = new("Q_CONS", 1, RD, OVACKFLG);

    /// <summary>The index-and-wrap bits for a queue of 2^log2Size entries.</summary>
    public static uint WrapIndexMask(int log2Size) => (2u << log2Size) - 1;

    /// <summary>The entry index of a PROD/CONS value.</summary>
    public static uint Index(uint p, int log2Size) => p & ((1u << log2Size) - 1);

    /// <summary>The wrap bit of a PROD/CONS value (bit log2Size).</summary>
    public static uint Wrap(uint p, int log2Size) => p & (1u << log2Size);

    /// <summary>True when the queue holds no entries: same index, same wrap.</summary>
    public static bool IsEmpty(uint prod, uint cons, int log2Size) =>
        ((prod ^ cons) & WrapIndexMask(log2Size)) == 0;

    /// <summary>True when every entry is in use: same index, different wrap.</summary>
    public static bool IsFull(uint prod, uint cons, int log2Size) =>
        Index(prod, log2Size) == Index(cons, log2Size) && Wrap(prod, log2Size) != Wrap(cons, log2Size);

    /// <summary>Entries between CONS and PROD.</summary>
    public static uint Used(uint prod, uint cons, int log2Size)
    {
        var m = WrapIndexMask(log2Size);
        return ((prod & m) - (cons & m)) & m;
    }

    /// <summary>Advances the wrap-and-index bits by <paramref name="n"/>, keeping every bit above them.</summary>
    public static uint Increment(uint p, int log2Size, uint n = 1)
    {
        var m = WrapIndexMask(log2Size);
        return (p & ~m) | ((p + n) & m);
    }
}

/// <summary>CMDQ_CONS.ERR values (7.1).</summary>
public enum CommandError : byte
{
    CERROR_NONE = 0x00,
    CERROR_ILL = 0x01,
    CERROR_ABT = 0x02,
    CERROR_ATC_INV_SYNC = 0x03,
}
