using SmmuLab.Architecture.Bits;

namespace SmmuLab.Architecture.ContextDescriptors;

/// <summary>Context Descriptor: 64 bytes, eight double words (IHI0070 5.4). Linux: <c>CTXDESC_CD_*</c>.</summary>
public static class Cd
{
    public const int Dwords = 8;
    public const int Bytes = 64;

    // dw0
    public static readonly Field T0SZ = new("T0SZ", 0, 0, 6);
    public static readonly Field TG0 = new("TG0", 0, 6, 2);
    public static readonly Field IR0 = new("IR0", 0, 8, 2);
    public static readonly Field OR0 = new("OR0", 0, 10, 2);
    public static readonly Field SH0 = new("SH0", 0, 12, 2);
    public static readonly Field EPD0 = new("EPD0", 0, 14, 1);
    public static readonly Field ENDI = new("ENDI", 0, 15, 1);
    public static readonly Field T1SZ = new("T1SZ", 0, 16, 6);
    public static readonly Field TG1 = new("TG1", 0, 22, 2);
    public static readonly Field IR1 = new("IR1", 0, 24, 2);
    public static readonly Field OR1 = new("OR1", 0, 26, 2);
    public static readonly Field SH1 = new("SH1", 0, 28, 2);
    public static readonly Field EPD1 = new("EPD1", 0, 30, 1);
    public static readonly Field V = new("V", 0, 31, 1);
    public static readonly Field IPS = new("IPS", 0, 32, 3);
    public static readonly Field AFFD = new("AFFD", 0, 35, 1);
    public static readonly Field WXN = new("WXN", 0, 36, 1);
    public static readonly Field UWXN = new("UWXN", 0, 37, 1);
    public static readonly Field TBI0 = new("TBI0", 0, 38, 1);
    public static readonly Field TBI1 = new("TBI1", 0, 39, 1);
    public static readonly Field PAN = new("PAN", 0, 40, 1);
    public static readonly Field AA64 = new("AA64", 0, 41, 1);
    public static readonly Field HD = new("HD", 0, 42, 1);
    public static readonly Field HA = new("HA", 0, 43, 1);
    public static readonly Field S = new("S", 0, 44, 1);
    public static readonly Field R = new("R", 0, 45, 1);
    public static readonly Field A = new("A", 0, 46, 1);
    public static readonly Field ASET = new("ASET", 0, 47, 1);
    public static readonly Field ASID = new("ASID", 0, 48, 16);

    // dw1
    public static readonly Field NSCFG0 = new("NSCFG0", 1, 0, 1);
    public static readonly Field HAD0 = new("HAD0", 1, 1, 1);
    public static readonly Field E0PD0 = new("E0PD0", 1, 2, 1);
    public static readonly Field HAFT = new("HAFT", 1, 3, 1);
    public static readonly Field TTB0 = new("TTB0", 1, 4, 52, FieldKind.Address);
    public static readonly Field PnCH = new("PnCH", 1, 58, 1);
    public static readonly Field EPAN = new("EPAN", 1, 59, 1);
    public static readonly Field HWU0 = new("HWU0", 1, 60, 4);

    // dw2
    public static readonly Field NSCFG1 = new("NSCFG1", 2, 0, 1);
    public static readonly Field HAD1 = new("HAD1", 2, 1, 1);
    public static readonly Field E0PD1 = new("E0PD1", 2, 2, 1);
    public static readonly Field AIE = new("AIE", 2, 3, 1);
    public static readonly Field TTB1 = new("TTB1", 2, 4, 52, FieldKind.Address);
    public static readonly Field DS = new("DS", 2, 58, 1);
    public static readonly Field PIE = new("PIE", 2, 59, 1);
    public static readonly Field HWU1 = new("HWU1", 2, 60, 4);

    // dw3, dw4
    public static readonly Field MAIR = new("MAIR", 3, 0, 64);
    public static readonly Field AMAIR = new("AMAIR", 4, 0, 64);

    // dw5
    public static readonly Field IMPL_DEF = new("IMPL_DEF", 5, 0, 32);
    public static readonly Field PARTID = new("PARTID", 5, 32, 16);
    public static readonly Field PMG = new("PMG", 5, 48, 8);

    public static readonly Layout Layout = new("CD", Dwords,
        T0SZ, TG0, IR0, OR0, SH0, EPD0, ENDI, T1SZ, TG1, IR1, OR1, SH1, EPD1, V, IPS, AFFD, WXN, UWXN, TBI0, TBI1, PAN,
        AA64, HD, HA, S, R, A, ASET, ASID,
        NSCFG0, HAD0, E0PD0, HAFT, TTB0, PnCH, EPAN, HWU0,
        NSCFG1, HAD1, E0PD1, AIE, TTB1, DS, PIE, HWU1,
        MAIR, AMAIR, IMPL_DEF, PARTID, PMG);
}

/// <summary>Level-1 Context Descriptor, 8 bytes (5.3).</summary>
public static class L1Cd
{
    public static readonly Field V = new("V", 0, 0, 1);
    public static readonly Field L2Ptr = new("L2Ptr", 0, 12, 44, FieldKind.Address);

    public static readonly Layout Layout = new("L1CD", 1, V, L2Ptr);
}

/// <summary>STE.S1Fmt values.</summary>
public static class S1Fmt
{
    public const uint Linear = 0;
    public const uint TwoLevel4K = 1;
    public const uint TwoLevel64K = 2;
}
