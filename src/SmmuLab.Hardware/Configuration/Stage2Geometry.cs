using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// Stage-2 start level and table concatenation from STE.{S2TG, S2T0SZ, S2SL0} (VMSAv8-64, no
/// FEAT_TTST and no FEAT_LPA2, so S2SL0_2 and S2DS are not used). The rules mirror the A-profile
/// VMSA checks "invalid start level" and "start level inconsistent with the IPA size"; IHI0070
/// 5.2 makes an STE that breaks them ILLEGAL.
/// </summary>
internal static class Stage2Geometry
{
    /// <summary>The largest number of concatenated start-level tables (VMSA: 16).</summary>
    public const int MaxConcatenatedTables = 16;

    /// <summary>
    /// Decodes S2SL0 for a granule: 4K 0/1/2 = level 2/1/0; 16K and 64K 0/1/2 = level 3/2/1; 3 is
    /// reserved. Returns false for the reserved encoding.
    /// </summary>
    public static bool TryDecodeSl0(Granule g, uint sl0, out int startLevel)
    {
        startLevel = sl0 switch
        {
            0 => g == Granule.Size4K ? 2 : 3,
            1 => g == Granule.Size4K ? 1 : 2,
            2 => g == Granule.Size4K ? 0 : 1,
            _ => -1,
        };
        return startLevel >= 0;
    }

    /// <summary>
    /// The start level and the number of concatenated start-level tables for an IPA size of
    /// 64 - <paramref name="s2t0sz"/> bits. False when S2SL0 is reserved or inconsistent with the
    /// IPA size: the start level must resolve at least one IPA bit (IPA size &gt; level shift of
    /// the start level) and at most 16 tables may be concatenated (IPA size &lt;= level shift +
    /// stride + 4). No physical-address-size restriction is applied; see the overload.
    /// </summary>
    public static bool TryGetStartLevel(Granule g, int s2t0sz, uint sl0, out int startLevel, out int concatenatedTables) =>
        TryGetStartLevel(g, s2t0sz, sl0, 52, out startLevel, out concatenatedTables);

    /// <summary>
    /// As <see cref="TryGetStartLevel(Granule, int, uint, out int, out int)"/>, and also rejects
    /// the level-0 (4K) and level-1 (16K, 64K) start levels when the PA size is too small for
    /// them: 4K and 64K need at least 44 bits, 16K at least 42 (VMSA "S2InvalidSL").
    /// </summary>
    public static bool TryGetStartLevel(Granule g, int s2t0sz, uint sl0, int paMaxBits, out int startLevel, out int concatenatedTables)
    {
        concatenatedTables = 0;
        if (!TryDecodeSl0(g, sl0, out startLevel))
        {
            return false;
        }

        if (sl0 == 2 && paMaxBits < (g == Granule.Size16K ? 42 : 44))
        {
            return false;
        }

        var inputBits = 64 - s2t0sz;
        var shift = g.LevelShift(startLevel);
        var stride = g.Stride();
        if (inputBits <= shift || inputBits > shift + stride + 4)
        {
            return false;
        }

        var extra = inputBits - shift - stride;
        concatenatedTables = extra > 0 ? 1 << extra : 1;
        return true;
    }

    /// <summary>
    /// log2 of the byte size of the start-level table (all concatenated tables together): the
    /// base address bits below this are treated as zero.
    /// </summary>
    public static int StartTableAlignmentBits(Granule g, int inputBits, int startLevel) =>
        3 + inputBits - g.LevelShift(startLevel);
}
