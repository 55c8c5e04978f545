namespace SmmuLab.Hardware.Translation;

/// <summary>
/// The translation regime a TLB or walk-cache entry belongs to (IHI0070 3.17, "StreamWorld"). Only
/// the Non-secure regimes are modelled.
/// </summary>
internal enum TranslationRegime : byte
{
    /// <summary>NS-EL1 ("NH", non-hypervisor): stage-1, nested and stage-2-only translations, tagged by VMID.</summary>
    Nh = 0,

    /// <summary>NS-EL2 with SMMU_CR2.E2H = 0: no VMID, no ASID (every entry is global).</summary>
    El2 = 1,

    /// <summary>NS-EL2-E2H (SMMU_CR2.E2H = 1): no VMID, ASID-tagged unless global.</summary>
    El2E2h = 2,
}

/// <summary>Which stages produced a TLB entry, or which walk a walk-cache entry belongs to.</summary>
internal enum TranslationStages : byte
{
    /// <summary>Stage 1 only: VA to PA.</summary>
    Stage1 = 0,

    /// <summary>Stage 2 only: IPA to PA (global in the ASID sense). In the walk cache: a stage-2 table.</summary>
    Stage2 = 1,

    /// <summary>Nested stage 1 and stage 2 combined: VA to PA. In the walk cache: a stage-1 table whose next-level address is an IPA.</summary>
    Nested = 2,
}

/// <summary>
/// The tags a translation is looked up and inserted with: regime, stages, VMID and ASID. VMID is
/// ignored for the EL2 regimes and ASID for EL2 and stage-2-only translations; <see cref="Normalized"/>
/// zeroes the ignored fields.
/// </summary>
internal readonly record struct TranslationContext(TranslationRegime Regime, TranslationStages Stages, ushort Vmid, ushort Asid)
{
    /// <summary>True when entries of this context carry an ASID (stage-1 translations in NH or EL2-E2H).</summary>
    public bool HasAsid => Stages != TranslationStages.Stage2 && Regime != TranslationRegime.El2;

    /// <summary>True when entries of this context carry a VMID.</summary>
    public bool HasVmid => Regime == TranslationRegime.Nh;

    /// <summary>The same context with the fields that do not tag entries set to zero.</summary>
    public TranslationContext Normalized => new(Regime, Stages, HasVmid ? Vmid : (ushort)0, HasAsid ? Asid : (ushort)0);

    /// <summary>A stage-1-only NS-EL1 context.</summary>
    public static TranslationContext Stage1Nh(ushort vmid, ushort asid) => new(TranslationRegime.Nh, TranslationStages.Stage1, vmid, asid);

    /// <summary>A nested NS-EL1 context.</summary>
    public static TranslationContext NestedNh(ushort vmid, ushort asid) => new(TranslationRegime.Nh, TranslationStages.Nested, vmid, asid);

    /// <summary>A stage-2-only context (also the tag of stage-2 walk-cache entries).</summary>
    public static TranslationContext Stage2Only(ushort vmid) => new(TranslationRegime.Nh, TranslationStages.Stage2, vmid, 0);

    public override string ToString() => $"{Regime}/{Stages} vmid={Vmid} asid={Asid}";
}
