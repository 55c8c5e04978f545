namespace SmmuLab.Driver.PageTables;

/// <summary>Which translation regime a set of LPAE tables is built for (Linux: ARM_64_LPAE_S1 / ARM_64_LPAE_S2).</summary>
public enum IoPageTableFormat
{
    /// <summary>Stage 1: VA to IPA/PA, attributes through MAIR, AP permissions, nG set.</summary>
    Stage1,

    /// <summary>Stage 2: IPA to PA, MemAttr in the descriptor, S2AP permissions, optional concatenated start level.</summary>
    Stage2,
}
