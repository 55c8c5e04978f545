using SmmuLab.Architecture.Bits;

namespace SmmuLab.Architecture.StreamTable;

/// <summary>
/// Stream Table Entry: 64 bytes, eight double words (IHI0070 5.2). Linux: <c>STRTAB_STE_*</c>.
/// </summary>
public static class Ste
{
    public const int Dwords = 8;
    public const int Bytes = 64;

    // dw0
    public static readonly Field V = new("V", 0, 0, 1);
    public static readonly Field Config = new("Config", 0, 1, 3);
    public static readonly Field S1Fmt = new("S1Fmt", 0, 4, 2);
    public static readonly Field S1ContextPtr = new("S1ContextPtr", 0, 6, 50, FieldKind.Address);
    public static readonly Field S1CDMax = new("S1CDMax", 0, 59, 5);

    // dw1
    public static readonly Field S1DSS = new("S1DSS", 1, 0, 2);
    public static readonly Field S1CIR = new("S1CIR", 1, 2, 2);
    public static readonly Field S1COR = new("S1COR", 1, 4, 2);
    public static readonly Field S1CSH = new("S1CSH", 1, 6, 2);
    public static readonly Field S2HWU = new("S2HWU", 1, 8, 4);
    public static readonly Field DRE = new("DRE", 1, 12, 1);
    public static readonly Field CONT = new("CONT", 1, 13, 4);
    public static readonly Field DCP = new("DCP", 1, 17, 1);
    public static readonly Field PPAR = new("PPAR", 1, 18, 1);
    public static readonly Field MEV = new("MEV", 1, 19, 1);
    public static readonly Field SW_RESERVED = new("SW_RESERVED", 1, 20, 4);
    public static readonly Field S1PIE = new("S1PIE", 1, 24, 1);
    public static readonly Field S2FWB = new("S2FWB", 1, 25, 1);
    public static readonly Field S1MPAM = new("S1MPAM", 1, 26, 1);
    public static readonly Field S1STALLD = new("S1STALLD", 1, 27, 1);
    public static readonly Field EATS = new("EATS", 1, 28, 2);
    public static readonly Field STRW = new("STRW", 1, 30, 2);
    public static readonly Field MemAttr = new("MemAttr", 1, 32, 4);
    public static readonly Field MTCFG = new("MTCFG", 1, 36, 1);
    public static readonly Field ALLOCCFG = new("ALLOCCFG", 1, 37, 4);
    public static readonly Field SHCFG = new("SHCFG", 1, 44, 2);
    public static readonly Field NSCFG = new("NSCFG", 1, 46, 2);
    public static readonly Field PRIVCFG = new("PRIVCFG", 1, 48, 2);
    public static readonly Field INSTCFG = new("INSTCFG", 1, 50, 2);
    public static readonly Field IMPL_DEF1 = new("IMPL_DEF1", 1, 52, 12);

    // dw2: S2VMID, then the VTCR image at [50:32]
    public static readonly Field S2VMID = new("S2VMID", 2, 0, 16);
    public static readonly Field IMPL_DEF2 = new("IMPL_DEF2", 2, 16, 16);
    public static readonly Field S2T0SZ = new("S2T0SZ", 2, 32, 6);
    public static readonly Field S2SL0 = new("S2SL0", 2, 38, 2);
    public static readonly Field S2IR0 = new("S2IR0", 2, 40, 2);
    public static readonly Field S2OR0 = new("S2OR0", 2, 42, 2);
    public static readonly Field S2SH0 = new("S2SH0", 2, 44, 2);
    public static readonly Field S2TG = new("S2TG", 2, 46, 2);
    public static readonly Field S2PS = new("S2PS", 2, 48, 3);
    public static readonly Field S2AA64 = new("S2AA64", 2, 51, 1);
    public static readonly Field S2ENDI = new("S2ENDI", 2, 52, 1);
    public static readonly Field S2AFFD = new("S2AFFD", 2, 53, 1);
    public static readonly Field S2PTW = new("S2PTW", 2, 54, 1);
    public static readonly Field S2HD = new("S2HD", 2, 55, 1);
    public static readonly Field S2HA = new("S2HA", 2, 56, 1);
    public static readonly Field S2S = new("S2S", 2, 57, 1);
    public static readonly Field S2R = new("S2R", 2, 58, 1);
    public static readonly Field S2HAFT = new("S2HAFT", 2, 59, 1);
    public static readonly Field S2PIE = new("S2PIE", 2, 60, 1);
    public static readonly Field S2POE = new("S2POE", 2, 61, 1);
    public static readonly Field DPT_VMATCH = new("DPT_VMATCH", 2, 62, 2);

    /// <summary>The VTCR image as one field (Linux <c>STRTAB_STE_2_VTCR</c>).</summary>
    public static readonly Field VTCR = new("VTCR", 2, 32, 19);

    // dw3
    public static readonly Field S2SL0_2 = new("S2SL0_2", 3, 2, 1);
    public static readonly Field S2DS = new("S2DS", 3, 3, 1);
    public static readonly Field S2TTB = new("S2TTB", 3, 4, 52, FieldKind.Address);

    /// <summary>The architected Non-secure fields, in order, for decoding and encoding by name.</summary>
    public static readonly Layout Layout = new("STE", Dwords,
        V, Config, S1Fmt, S1ContextPtr, S1CDMax,
        S1DSS, S1CIR, S1COR, S1CSH, S2HWU, DRE, CONT, DCP, PPAR, MEV, SW_RESERVED, S1PIE, S2FWB, S1MPAM, S1STALLD,
        EATS, STRW, MemAttr, MTCFG, ALLOCCFG, SHCFG, NSCFG, PRIVCFG, INSTCFG, IMPL_DEF1,
        S2VMID, IMPL_DEF2, S2T0SZ, S2SL0, S2IR0, S2OR0, S2SH0, S2TG, S2PS, S2AA64, S2ENDI, S2AFFD, S2PTW, S2HD, S2HA,
        S2S, S2R, S2HAFT, S2PIE, S2POE, DPT_VMATCH,
        S2SL0_2, S2DS, S2TTB);
}

/// <summary>STE.Config values (5.2). Linux: <c>STRTAB_STE_0_CFG_*</c>.</summary>
public static class SteConfig
{
    /// <summary>0b000: abort without an event; 0b001-0b011 behave the same.</summary>
    public const uint Abort = 0b000;
    public const uint Bypass = 0b100;
    public const uint S1Translate = 0b101;
    public const uint S2Translate = 0b110;
    public const uint Nested = 0b111;

    /// <summary>Config[2] = 1: the stream is translated or bypassed (0b0xx aborts).</summary>
    public static bool Enabled(uint config) => (config & Bypass) == Bypass;

    /// <summary>Config = 0b1x1: stage 1 translates.</summary>
    public static bool HasStage1(uint config) => (config & S1Translate) == S1Translate;

    /// <summary>Config = 0b11x: stage 2 translates.</summary>
    public static bool HasStage2(uint config) => (config & S2Translate) == S2Translate;

    /// <summary>Some stage translates: Config is 0b101, 0b110 or 0b111.</summary>
    public static bool Translates(uint config) => HasStage1(config) || HasStage2(config);

    public static string Name(uint config) => config switch
    {
        Bypass => "bypass",
        S1Translate => "s1-trans",
        S2Translate => "s2-trans",
        Nested => "nested",
        _ => "abort",
    };
}

/// <summary>STE.S1DSS values.</summary>
public static class S1Dss
{
    public const uint Terminate = 0;
    public const uint Bypass = 1;
    public const uint Ssid0 = 2;
}

/// <summary>STE.PRIVCFG values (5.2): the PRIV attribute override; 0b01 is reserved and behaves as 0b00.</summary>
public static class PrivCfg
{
    public const uint UseIncoming = 0b00;
    public const uint Unprivileged = 0b10;
    public const uint Privileged = 0b11;
}

/// <summary>STE.INSTCFG values (5.2): the INST attribute override of reads; 0b01 is reserved and behaves as 0b00.</summary>
public static class InstCfg
{
    public const uint UseIncoming = 0b00;
    public const uint Data = 0b10;
    public const uint Instruction = 0b11;
}

/// <summary>STE.EATS values.</summary>
public static class Eats
{
    public const uint Abort = 0;
    public const uint Trans = 1;
    public const uint S1Chk = 2;
    public const uint TransDpt = 3;
}

/// <summary>STE.STRW values (5.2): the translation regime of a stage-1 STE.</summary>
public static class Strw
{
    public const uint NsEl1 = 0b00;

    /// <summary>EL2, or EL2-E2H when CR2.E2H is set.</summary>
    public const uint El2 = 0b10;

    /// <summary>0b01 and 0b11 are reserved.</summary>
    public static bool IsReserved(uint strw) => strw is not (NsEl1 or El2);
}

/// <summary>Level-1 Stream Table Descriptor, 8 bytes (5.1).</summary>
public static class L1Std
{
    public static readonly Field Span = new("Span", 0, 0, 5);
    public static readonly Field L2Ptr = new("L2Ptr", 0, 6, 50, FieldKind.Address);

    public static readonly Layout Layout = new("L1STD", 1, Span, L2Ptr);
}
