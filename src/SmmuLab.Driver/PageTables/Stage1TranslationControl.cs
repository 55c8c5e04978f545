namespace SmmuLab.Driver.PageTables;

/// <summary>
/// The stage-1 translation-control values a context descriptor needs for one set of tables (the
/// TTB0 half; Linux <c>arm_lpae_s1_cfg</c>). Fields hold the architectural encodings of reference §5.8.
/// </summary>
/// <param name="Ttbr">Start-level table PA (CD.TTB0).</param>
/// <param name="T0SZ">64 - input bits (CD.T0SZ).</param>
/// <param name="TG0">Granule: 0 = 4K, 1 = 64K, 2 = 16K (CD.TG0).</param>
/// <param name="IRGN0">Walk inner cacheability: 0 NC, 1 WBWA (CD.IR0).</param>
/// <param name="ORGN0">Walk outer cacheability: 0 NC, 1 WBWA (CD.OR0).</param>
/// <param name="SH0">Walk shareability: 2 outer, 3 inner (CD.SH0).</param>
/// <param name="IPS">Output size encoding: 0:32 ... 5:48, 6:52 (CD.IPS).</param>
/// <param name="Mair">Memory attributes for AttrIndx 0..7 (CD.MAIR).</param>
public readonly record struct Stage1TranslationControl(
    ulong Ttbr,
    uint T0SZ,
    uint TG0,
    uint IRGN0,
    uint ORGN0,
    uint SH0,
    uint IPS,
    ulong Mair);
