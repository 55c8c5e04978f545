using SmmuLab.Architecture.Bits;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// What one SMMU instance implements; the ID registers are computed from it. The defaults describe
/// a capable SMMUv3.2-class part (stage 1 and 2, nesting, RIL, ATS, MSI and wired interrupts, SEV, 16-bit ASID/VMID,
/// 2-level stream and CD tables, all three granules, 48-bit OAS).
/// </summary>
public sealed record SmmuFeatures
{
    public bool Stage1 { get; init; } = true;
    public bool Stage2 { get; init; } = true;
    public bool RangeInvalidation { get; init; } = true;
    public bool Ats { get; init; } = true;
    public bool Msi { get; init; } = true;

    /// <summary>
    /// The SMMU has wired interrupt outputs (GERROR, EVENTQ, PRIQ, CMD_SYNC). No ID register says so
    /// (3.18: discovery is IMPLEMENTATION DEFINED, firmware describes the lines); an SMMU has wired
    /// lines, MSIs (<see cref="Msi"/>) or both. With both, an enabled source pulses its line and also
    /// sends an MSI when its address is non-zero (3.18.2), and a CMD_SYNC with CS = SIG_IRQ pulses the
    /// CMD_SYNC line whatever its MSIAddress (4.7.3).
    /// </summary>
    public bool WiredInterrupts { get; init; } = true;
    public bool Sev { get; init; } = true;
    public bool Btm { get; init; }
    public bool Hyp { get; init; }
    public bool CoherentAccess { get; init; } = true;
    public bool Asid16 { get; init; } = true;
    public bool Vmid16 { get; init; } = true;
    public bool TwoLevelCdTables { get; init; } = true;
    public bool TwoLevelStreamTable { get; init; } = true;
    public bool Pri { get; init; }
    public bool AttrTypesOverride { get; init; } = true;
    public bool Granule4K { get; init; } = true;
    public bool Granule16K { get; init; } = true;
    public bool Granule64K { get; init; } = true;

    /// <summary>Output address size in bits: 32, 36, 40, 42, 44, 48 or 52.</summary>
    public int OutputAddressBits { get; init; } = 48;

    /// <summary>
    /// IAS (3.4): MAX(TTF[0] ? 40 : 0, TTF[1] ? OAS : 0). Only VMSAv8-64 tables are implemented
    /// (IDR0.TTF = 0b10), so IAS = OAS. Stage-1-bypassed input addresses are checked against it.
    /// </summary>
    public int IntermediateAddressBits => OutputAddressBits;

    /// <summary>StreamID bits (IDR1.SIDSIZE).</summary>
    public int StreamIdBits { get; init; } = 16;

    /// <summary>SubstreamID bits (IDR1.SSIDSIZE); 0 disables substreams.</summary>
    public int SubstreamIdBits { get; init; } = 20;

    /// <summary>log2 of the maximum command queue entries (IDR1.CMDQS).</summary>
    public int CommandQueueBits { get; init; } = 19;

    /// <summary>log2 of the maximum event queue entries (IDR1.EVENTQS).</summary>
    public int EventQueueBits { get; init; } = 19;

    /// <summary>log2 of the maximum PRI queue entries (IDR1.PRIQS): the largest there is with PRI, 0 without.</summary>
    public int PriQueueBits => Pri ? 19 : 0;

    /// <summary>STALL_MODEL: 1 = stalls not supported (the model does not stall transactions).</summary>
    public uint StallModel { get; init; } = 1;

    /// <summary>Minor architecture revision in AIDR (2 = SMMUv3.2).</summary>
    public uint ArchMinorRevision { get; init; } = 2;

    public bool Nesting => Stage1 && Stage2;

    public bool Supports(Granule g) => g switch
    {
        Granule.Size4K => Granule4K,
        Granule.Size16K => Granule16K,
        _ => Granule64K,
    };

    public uint Idr0Value =>
        (uint)(Idr0Field(Idr0.S2P, Stage2) | Idr0Field(Idr0.S1P, Stage1)
        | Idr0.TTF.Make(Idr0.TtfAArch64)
        | Idr0Field(Idr0.COHACC, CoherentAccess) | Idr0Field(Idr0.BTM, Btm)
        | Idr0Field(Idr0.HYP, Hyp && Stage1 && Stage2) | Idr0Field(Idr0.ATS, Ats)
        | Idr0Field(Idr0.ASID16, Asid16) | Idr0Field(Idr0.MSI, Msi)
        | Idr0Field(Idr0.SEV, Sev) | Idr0Field(Idr0.PRI, Pri && Ats)
        | Idr0Field(Idr0.VMID16, Vmid16) | Idr0Field(Idr0.CD2L, TwoLevelCdTables)
        | Idr0Field(Idr0.ATSRECERR, Ats) // the model implements CR2.REC_CFG_ATS with ATS
        | Idr0.TTENDIAN.Make(Idr0.TtEndianLittle)
        | Idr0.STALL_MODEL.Make(StallModel)
        | Idr0.TERM_MODEL.Make(0)
        | Idr0.ST_LEVEL.Make(TwoLevelStreamTable ? 1UL : 0));

    public uint Idr1Value =>
        (uint)(Idr1.SIDSIZE.Make((ulong)StreamIdBits)
        | Idr1.SSIDSIZE.Make((ulong)SubstreamIdBits)
        | Idr1.EVENTQS.Make((ulong)EventQueueBits)
        | Idr1.CMDQS.Make((ulong)CommandQueueBits)
        | Idr1.PRIQS.Make((ulong)PriQueueBits)
        | Idr1.ATTR_TYPES_OVR.Make(AttrTypesOverride ? 1UL : 0)
        | Idr1.ATTR_PERMS_OVR.Make(AttrTypesOverride ? 1UL : 0));

    public uint Idr3Value =>
        (uint)(Idr3.HAD.Make(Stage1 ? 1UL : 0) | Idr3.XNX.Make(Stage2 ? 1UL : 0)
        | Idr3.RIL.Make(RangeInvalidation ? 1UL : 0) | Idr3.BBML.Make(2));

    public uint Idr5Value =>
        (uint)(Idr5.OAS.Make(AddressSize.FromBits(OutputAddressBits))
        | Idr5.GRAN4K.Make(Granule4K ? 1UL : 0) | Idr5.GRAN16K.Make(Granule16K ? 1UL : 0)
        | Idr5.GRAN64K.Make(Granule64K ? 1UL : 0));

    public uint AidrValue => (uint)Aidr.ArchMinorRev.Make(ArchMinorRevision);

    /// <summary>Validates the combination; throws <see cref="ArgumentException"/> naming the problem.</summary>
    public void Validate()
    {
        if (!Stage1 && !Stage2)
        {
            throw new ArgumentException("an SMMU must implement stage 1, stage 2 or both");
        }

        if (!Granule4K && !Granule16K && !Granule64K)
        {
            throw new ArgumentException("an SMMU must implement at least one granule");
        }

        if (!Msi && !WiredInterrupts)
        {
            throw new ArgumentException("an SMMU must implement wired interrupts, MSIs or both (3.18)");
        }

        _ = AddressSize.FromBits(OutputAddressBits);
        if (StreamIdBits is < 0 or > 32 || (StreamIdBits >= 7 && !TwoLevelStreamTable))
        {
            throw new ArgumentException($"SIDSIZE {StreamIdBits} needs a 2-level stream table when >= 7, and must be <= 32");
        }

        if (SubstreamIdBits is < 0 or > 20 || CommandQueueBits is < 0 or > 19 || EventQueueBits is < 0 or > 19)
        {
            throw new ArgumentException("SSIDSIZE must be <= 20, CMDQS and EVENTQS <= 19");
        }
    }

    private static ulong Idr0Field(Field f, bool on) => f.Make(on ? 1UL : 0);
}
