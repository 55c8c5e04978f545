namespace SmmuLab.Driver.PageTables;

/// <summary>
/// The stage-2 translation-control values a stream table entry needs (VTCR and VTTBR images; Linux
/// <c>arm_lpae_s2_cfg</c>). Fields hold the architectural encodings of reference §5.6 and §5.8.
/// </summary>
/// <param name="Vttbr">Start-level table (or concatenated set) PA (STE.S2TTB).</param>
/// <param name="T0SZ">64 - input bits (STE.S2T0SZ).</param>
/// <param name="SL0">Start level: 4K 0/1/2 = level 2/1/0; 16K and 64K 0/1/2 = level 3/2/1 (STE.S2SL0).</param>
/// <param name="TG">Granule: 0 = 4K, 1 = 64K, 2 = 16K (STE.S2TG).</param>
/// <param name="PS">Output size encoding: 0:32 ... 5:48, 6:52 (STE.S2PS).</param>
/// <param name="IRGN">Walk inner cacheability: 0 NC, 1 WBWA (STE.S2IR0).</param>
/// <param name="ORGN">Walk outer cacheability: 0 NC, 1 WBWA (STE.S2OR0).</param>
/// <param name="SH">Walk shareability: 2 outer, 3 inner (STE.S2SH0).</param>
public readonly record struct Stage2TranslationControl(
    ulong Vttbr,
    uint T0SZ,
    uint SL0,
    uint TG,
    uint PS,
    uint IRGN,
    uint ORGN,
    uint SH);
