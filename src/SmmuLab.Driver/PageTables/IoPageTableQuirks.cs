namespace SmmuLab.Driver.PageTables;

/// <summary>Options that change how descriptors or table-walk attributes are written (Linux IO_PGTABLE_QUIRK_*).</summary>
[Flags]
public enum IoPageTableQuirks
{
    None = 0,

    /// <summary>Stage 1 only: set NS in leaves and NSTable in table descriptors.</summary>
    NonSecure = 1 << 0,

    /// <summary>Stage 1 only: a non-coherent walk still uses outer write-back write-allocate (ORGN = WBWA).</summary>
    OuterWbwa = 1 << 1,

    /// <summary>Stage 1 only: writable leaves carry DBM so the SMMU can track dirtiness (hardware dirty).</summary>
    HardwareDirty = 1 << 2,

    /// <summary>Stage 2 only: FEAT_S2FWB, cacheable leaves use MemAttr 0b0110 ("force write-back").</summary>
    S2Fwb = 1 << 3,
}
