using SmmuLab.Architecture.Bits;

namespace SmmuLab.Architecture.PageTables;

/// <summary>
/// VMSAv8-64 translation table descriptor bits, for both stages (Arm ARM D8.3; SMMU 3.4). Linux:
/// <c>ARM_LPAE_PTE_*</c> in io-pgtable-arm.c.
/// </summary>
public static class Descriptor
{
    /// <summary>Bit 0: valid.</summary>
    public const ulong Valid = 1UL << 0;

    /// <summary>Bit 1: table (levels 0-2) or page (level 3) when set; block when clear at levels 1-2.</summary>
    public const ulong TableOrPage = 1UL << 1;

    /// <summary>Bits [1:0] = 0b11.</summary>
    public const ulong TypeTable = 3;

    /// <summary>Bits [1:0] = 0b01.</summary>
    public const ulong TypeBlock = 1;

    /// <summary>Bits [1:0] = 0b11 at level 3.</summary>
    public const ulong TypePage = 3;

    public static readonly Field AttrIndx = new("AttrIndx", 0, 2, 3);
    public static readonly Field NS = new("NS", 0, 5, 1);

    /// <summary>Stage 1 AP[2:1]: bit 6 AP[1] (EL0 access), bit 7 AP[2] (read-only).</summary>
    public static readonly Field AP = new("AP", 0, 6, 2);

    /// <summary>Stage 2 MemAttr[3:0] at bits [5:2].</summary>
    public static readonly Field MemAttr = new("MemAttr", 0, 2, 4);

    /// <summary>Stage 2 S2AP: bit 6 read, bit 7 write.</summary>
    public static readonly Field S2AP = new("S2AP", 0, 6, 2);

    public static readonly Field SH = new("SH", 0, 8, 2);
    public static readonly Field AF = new("AF", 0, 10, 1);
    public static readonly Field nG = new("nG", 0, 11, 1);
    public static readonly Field DBM = new("DBM", 0, 51, 1);
    public static readonly Field Contiguous = new("Contiguous", 0, 52, 1);
    public static readonly Field PXN = new("PXN", 0, 53, 1);
    public static readonly Field UXN = new("UXN", 0, 54, 1);

    /// <summary>Table descriptor: PXNTable [59], XNTable [60], APTable [62:61], NSTable [63].</summary>
    public static readonly Field PXNTable = new("PXNTable", 0, 59, 1);
    public static readonly Field XNTable = new("XNTable", 0, 60, 1);
    public static readonly Field APTable = new("APTable", 0, 61, 2);
    public static readonly Field NSTable = new("NSTable", 0, 63, 1);

    /// <summary>APTable[0] (bit 61): no unprivileged access below.</summary>
    public const ulong ApTableNoUnprivileged = 1UL << 61;

    /// <summary>APTable[1] (bit 62): no write access below.</summary>
    public const ulong ApTableReadOnly = 1UL << 62;

    public const ulong ApUnprivileged = 1UL << 6;
    public const ulong ApReadOnly = 1UL << 7;
    public const ulong S2ApRead = 1UL << 6;
    public const ulong S2ApWrite = 1UL << 7;
    public const ulong AccessFlag = 1UL << 10;
    public const ulong NotGlobal = 1UL << 11;

    /// <summary>Output address bits [47:12] of a 4K-granule descriptor (Linux ADDR_MASK).</summary>
    public const ulong OutputAddressMask48 = 0x0000_FFFF_FFFF_F000UL;

    /// <summary>The output address of a table, block or page descriptor at <paramref name="level"/>.</summary>
    /// <remarks>With the 64 KiB granule, PA[51:48] are held in descriptor bits [15:12].</remarks>
    public static ulong OutputAddress(ulong desc, Granule g, int level, bool isTable)
    {
        var lowBit = isTable || level == 3 ? g.Shift() : g.LevelShift(level);
        var addr = desc & OutputAddressMask48 & ~((1UL << lowBit) - 1);
        if (g == Granule.Size64K)
        {
            addr |= ((desc >> 12) & 0xF) << 48;
        }

        return addr;
    }

    /// <summary>Encodes <paramref name="address"/> into the output-address bits of a descriptor.</summary>
    public static ulong EncodeAddress(ulong address, Granule g)
    {
        var bits = address & OutputAddressMask48;
        if (g == Granule.Size64K)
        {
            bits |= ((address >> 48) & 0xF) << 12;
        }

        return bits;
    }

    public static readonly Layout Layout = new("PTE", 1,
        new Field("Type", 0, 0, 2), AttrIndx, NS, AP, SH, AF, nG, new Field("OA", 0, 12, 36, FieldKind.Address),
        DBM, Contiguous, PXN, UXN, new Field("SW", 0, 55, 4), PXNTable, XNTable, APTable, NSTable);
}
