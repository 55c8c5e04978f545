namespace SmmuLab.Driver.Tables;

/// <summary>
/// The SMMU and host properties that shape the STE and CD images the driver builds (Linux:
/// <c>ARM_SMMU_FEAT_*</c> bits of <c>smmu-&gt;features</c>, and the host's endianness).
/// </summary>
/// <param name="Stalls">The SMMU supports stalling faults (<c>FEAT_STALLS</c>); S1STALLD is set for masters that do not use stalls.</param>
/// <param name="AttrTypesOverride">STE attribute overrides are honoured (<c>FEAT_ATTR_TYPES_OVR</c>); SHCFG is set to "incoming" where it applies.</param>
/// <param name="E2H">The kernel runs at EL2 with E2H (<c>FEAT_E2H</c>); CD-table STEs use StreamWorld EL2.</param>
/// <param name="StallForce">Stalls cannot be disabled (<c>FEAT_STALL_FORCE</c>); the SVA release CD then keeps S and R.</param>
/// <param name="BigEndian">The host's tables are big-endian: CD.ENDI and STE.S2ENDI are set.</param>
public readonly record struct EntryFeatures(
    bool Stalls = false,
    bool AttrTypesOverride = false,
    bool E2H = false,
    bool StallForce = false,
    bool BigEndian = false);
