using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Hardware.Translation;

/// <summary>Start-level and concatenation rules shared by the configuration decoders and the walker.</summary>
internal sealed partial class TranslationWalker
{
    /// <summary>At most 16 concatenated tables at the stage-2 start level (VMSAv8-64; reference §5.6).</summary>
    public const int MaxConcatenatedTables = 16;

    /// <summary>
    /// The stage-1 start level for an input size (CD.TxSZ): 3 - floor((ias - 1 - g) / (g - 3)).
    /// Returns false when the size cannot be walked with this granule (start level outside 0..3).
    /// </summary>
    public static bool TryGetStage1StartLevel(Granule g, int inputBits, out int startLevel)
    {
        startLevel = inputBits > g.Shift() && inputBits <= 52 ? g.StartLevel(inputBits) : -1;
        return startLevel is >= 0 and <= 3;
    }

    /// <summary>
    /// The stage-2 start level and number of concatenated start-level tables from STE.S2T0SZ,
    /// STE.S2SL0 and STE.S2TG. S2SL0 selects level 2/1/0 with 4K and level 3/2/1 with 16K and 64K;
    /// 3 is reserved (no FEAT_TTST/LPA2). The combination is consistent when the start level
    /// resolves between 1 bit and stride + 4 bits (2 entries up to 16 concatenated tables), and
    /// level 0 is never concatenated. False means the STE is ILLEGAL (C_BAD_STE).
    /// </summary>
    public static bool TryGetStage2StartLevel(Granule g, int s2t0sz, uint sl0, out int startLevel, out int concatenatedTables)
    {
        concatenatedTables = 0;
        startLevel = (g, sl0) switch
        {
            (Granule.Size4K, 0) => 2,
            (Granule.Size4K, 1) => 1,
            (Granule.Size4K, 2) => 0,
            (Granule.Size16K or Granule.Size64K, 0) => 3,
            (Granule.Size16K or Granule.Size64K, 1) => 2,
            (Granule.Size16K or Granule.Size64K, 2) => 1,
            _ => -1,
        };
        var inputBits = 64 - s2t0sz;
        if (startLevel < 0 || s2t0sz < 0 || inputBits > 52)
        {
            startLevel = -1;
            return false;
        }

        var bits = StartLevelIndexBits(g, inputBits, startLevel);
        var extra = bits - g.Stride();
        if (bits < 1 || extra > 4 || (startLevel == 0 && extra > 0))
        {
            return false;
        }

        concatenatedTables = extra > 0 ? 1 << extra : 1;
        return true;
    }

    /// <summary>Index bits resolved at the start level: IA[InputBits-1 : LevelShift(start)]. More than the stride means concatenation.</summary>
    public static int StartLevelIndexBits(Granule g, int inputBits, int startLevel) => inputBits - g.LevelShift(startLevel);
}
